// One IB-TPO update on a small tree: advantages, the padded batch, the clipped loss and its
// gradient. Runs against the sources, no build needed:
//   npx -y pnpm@10.34.9 --filter @ibtpo/tpo-loss example
import { ReasoningTree } from "@ibtpo/ib-score";
import { createAdvantageEstimator, padTrainingBatch, trainingBatchFromTrees, trainingPreset } from "@ibtpo/tpo-loss";
import { policyLoss, readLossDiagnostics } from "@ibtpo/tpo-loss/tfjs";
import * as tf from "@tensorflow/tfjs";

// A tree for one prompt: two first steps, the first branched again; three trajectories.
const tree = new ReasoningTree({ promptId: "q1" });
const first = tree.addStep(tree.root, { tokens: [5, 6], logprobs: [-0.2, -0.4] });
tree.addTrajectory(tree.addStep(first, { tokens: [9], logprobs: [-0.1] }), 1);
tree.addTrajectory(tree.addStep(first, { tokens: [7], logprobs: [-1.5] }), 0);
tree.addTrajectory(tree.addStep(tree.root, { tokens: [8, 9], logprobs: [-2.0, -0.3] }), 0);
const trees = [tree];

const preset = trainingPreset("ib-tpo", { advantage: { lambda: 0.1 } });
// The preset carries tokenWeighting and maskTruncated, the options of the batch.
const batch = trainingBatchFromTrees(trees, createAdvantageEstimator(preset.advantage), preset);
const padded = padTrainingBatch(batch); // row-major [rows, columns] float32 arrays
const shape: [number, number] = [padded.rows, padded.columns];
console.log(`rows ${padded.rows}, columns ${padded.columns}`);
console.log(`advantages ${Array.from(padded.advantages, (value) => value.toFixed(3)).join(" ")}`);

// Your policy's per-token log-probs go here; a variable stands in for the model.
const logits = tf.variable(tf.tensor2d(padded.oldLogprobs, shape));
// The preset's KL term (0.001) reads a frozen reference: here a copy of the initial stand-in.
const reference = tf.tensor2d(padded.oldLogprobs, shape);
const refLogp = reference.sub(reference.exp().add(1).log());
const advantages = tf.tensor2d(padded.advantages, shape);
const mask = tf.tensor2d(padded.mask, shape);
const optimizer = tf.train.sgd(0.1);

let diagnostics: Parameters<typeof readLossDiagnostics>[0] | undefined;
const { grads } = tf.variableGrads(() => {
  const logp = logits.sub(logits.exp().add(1).log()); // log-sigmoid keeps every log-prob < 0
  const result = policyLoss({ logp, advantages, mask, refLogp }, preset.loss);
  diagnostics = result.diagnostics;
  return result.loss;
});
optimizer.applyGradients(grads);
const numbers = await readLossDiagnostics(diagnostics!); // { loss, policy, clipFraction, approxKl, meanEntropy, terms }
console.log(`loss ${numbers.loss.toFixed(4)}, clip fraction ${numbers.clipFraction.toFixed(2)}`);
