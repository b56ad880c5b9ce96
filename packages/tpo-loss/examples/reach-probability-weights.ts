// Token weights of a tree whose prefix was branched: the paper's rows ('per-trajectory') against
// 'reach-probability' (docs/METHOD.md 5.2). Runs against the sources, no build needed:
//   npx -y pnpm@10.34.9 exec tsx --tsconfig ../../tsconfig.examples.json examples/reach-probability-weights.ts
import { ReasoningTree } from "@ibtpo/ib-score";
import { createAdvantageEstimator, reachProbabilities, trainingBatchFromTrees, trainingPreset } from "@ibtpo/tpo-loss";

// Two chains from the prompt (a -> c and b); then a sampler branched the step a twice (d, e).
const tree = new ReasoningTree({ promptId: "q1" });
const a = tree.addStep(tree.root, { tokens: [1, 2], logprobs: [-0.5, -0.5] });
tree.addTrajectory(tree.addStep(a, { tokens: [3], logprobs: [-0.1] }), 1);
tree.addTrajectory(tree.addStep(tree.root, { tokens: [6], logprobs: [-1] }), 0);
tree.addTrajectory(tree.addStep(a, { tokens: [4], logprobs: [-2] }), 0);
tree.addTrajectory(tree.addStep(a, { tokens: [5, 5], logprobs: [-1, -1] }), 1);

console.log(`reach P(s) by node: ${Array.from(reachProbabilities(tree), (p) => p.toFixed(3)).join(" ")}`);
for (const tokenWeighting of ["per-trajectory", "reach-probability"] as const) {
  const preset = trainingPreset("ib-tpo", { tokenWeighting });
  const batch = trainingBatchFromTrees([tree], createAdvantageEstimator(preset.advantage), preset);
  // Total weight of the shared step a over all rows: 3 trajectories pass through it.
  let weightOfA = 0;
  for (const row of batch.sequences) {
    row.tokenNodes.forEach((node, index) => {
      if (node === a) weightOfA += row.trainWeights[index]! / tree.tokenCount(a);
    });
  }
  console.log(`${tokenWeighting}: step a weighs ${weightOfA.toFixed(3)} (traj(root) = ${tree.trajectories})`);
}
