import { responseLogProbs } from "@ibtpo/policy-tfjs";
import type { TrainingBatch } from "@ibtpo/tpo-loss";
import {
  disposeLossDiagnostics,
  type LossDiagnostics,
  type LossDiagnosticsTensors,
  policyLoss,
  readLossDiagnostics,
  stopGradient,
  weightedLossDiagnostics,
} from "@ibtpo/tpo-loss/tfjs";
import type * as tf from "@tensorflow/tfjs";
import type { RlContext } from "./rl-step.js";
import { microBatches, microBatchTensor } from "./token-batch.js";

export interface PolicyUpdate {
  readonly update: { readonly loss: number; readonly gradientNorm: number; readonly learningRate: number };
  /** Loss diagnostics of the last epoch, weighted over micro-batches like the loss. */
  readonly diagnostics: LossDiagnostics;
}

/**
 * `optimizer.epochs` optimizer steps on one training batch: each step accumulates the gradient
 * of the algorithm's clipped loss (plus KL and entropy terms) over micro-batches, weighted so the
 * sum equals the full-batch loss. The ratio is taken against the sampling log-probs, so epochs
 * after the first are clipped.
 */
export async function updatePolicy(context: RlContext, batch: TrainingBatch): Promise<PolicyUpdate> {
  const { config, model, preset, reference } = context;
  const temperature = config.sampling.temperature;
  const chunks = microBatches(batch, config.optimizer.microBatchSize, preset.loss.lossAggregation);
  const weights = chunks.map((chunk) => chunk.weight);
  // Dr.GRPO divides by a constant length: the longest response the sampler may produce.
  const lossOptions = { ...preset.loss, normalizerLength: preset.loss.normalizerLength ?? context.maxResponseLength };
  let kept: LossDiagnosticsTensors[] = [];
  let update: PolicyUpdate["update"] | null = null;
  for (let epoch = 0; epoch < config.optimizer.epochs; epoch++) {
    // Diagnostics of the last epoch are reported: that is where clipping acts.
    for (const tensors of kept) disposeLossDiagnostics(tensors);
    kept = [];
    update = context.optimizer.trainStep(
      chunks,
      (chunk) => {
        const { logprobs, entropies } = responseLogProbs(model, chunk.rows, { temperature });
        const result = policyLoss(
          {
            logp: logprobs,
            oldLogp: microBatchTensor(chunk, chunk.oldLogprobs),
            advantages: microBatchTensor(chunk, chunk.advantages),
            mask: microBatchTensor(chunk, chunk.mask),
            entropy: entropies,
            refLogp:
              reference === null
                ? null
                : (stopGradient(responseLogProbs(reference, chunk.rows, { temperature }).logprobs) as tf.Tensor2D),
          },
          lossOptions,
        );
        kept.push(result.diagnostics);
        return result.loss;
      },
      { weights },
    );
  }
  const read = await Promise.all(kept.map((tensors) => readLossDiagnostics(tensors)));
  return { update: update as PolicyUpdate["update"], diagnostics: weightedLossDiagnostics(read, weights) };
}
