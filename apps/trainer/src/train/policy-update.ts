import { type PolicyOptimizer, responseLogProbs, type TransformerModel } from "@ibtpo/policy-tfjs";
import type { ResolvedPolicyLossOptions, TrainingBatch } from "@ibtpo/tpo-loss";
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
import { type MicroBatch, microBatches, microBatchTensor } from "./token-batch.js";

/** What one policy update reads: the models, the optimizer and the loss settings, nothing else. */
export interface PolicyUpdateInputs {
  readonly model: TransformerModel;
  /** The frozen initial policy, for the KL term; null when the KL coefficient is 0. */
  readonly reference: TransformerModel | null;
  readonly optimizer: PolicyOptimizer;
  readonly loss: ResolvedPolicyLossOptions;
  /** Sampling temperature: log-probs are taken under the same distribution the tokens came from. */
  readonly temperature: number;
  readonly microBatchSize: number;
  /** Optimizer steps on the batch (PPO epochs). */
  readonly epochs: number;
  /** The longest response the sampler may produce (Dr.GRPO's constant normaliser). */
  readonly maxResponseLength: number;
}

export interface PolicyUpdate {
  readonly update: { readonly loss: number; readonly gradientNorm: number; readonly learningRate: number };
  /** Loss diagnostics of the last epoch, weighted over micro-batches like the loss. */
  readonly diagnostics: LossDiagnostics;
}

/** The loss options of an update: Dr.GRPO's constant normaliser defaults to the longest response. */
export function updateLossOptions(inputs: PolicyUpdateInputs): ResolvedPolicyLossOptions {
  return { ...inputs.loss, normalizerLength: inputs.loss.normalizerLength ?? inputs.maxResponseLength };
}

/**
 * The algorithm's clipped loss (plus KL and entropy terms) on one micro-batch, with log-probs
 * under the sampling temperature and the ratio taken against the sampling log-probs.
 */
export function microBatchLoss(
  inputs: PolicyUpdateInputs,
  chunk: MicroBatch,
  lossOptions: ResolvedPolicyLossOptions,
): { loss: tf.Scalar; diagnostics: LossDiagnosticsTensors } {
  const { model, reference, temperature } = inputs;
  const { logprobs, entropies } = responseLogProbs(model, chunk.rows, { temperature });
  return policyLoss(
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
}

/**
 * `epochs` optimizer steps on one training batch: each step accumulates the gradient of the
 * algorithm's clipped loss (plus KL and entropy terms) over micro-batches, weighted so the sum
 * equals the full-batch loss. The ratio is taken against the sampling log-probs, so epochs after
 * the first are clipped.
 */
export async function updatePolicy(inputs: PolicyUpdateInputs, batch: TrainingBatch): Promise<PolicyUpdate> {
  const chunks = microBatches(batch, inputs.microBatchSize, inputs.loss.lossAggregation);
  const weights = chunks.map((chunk) => chunk.weight);
  const lossOptions = updateLossOptions(inputs);
  let kept: LossDiagnosticsTensors[] = [];
  let update: PolicyUpdate["update"] | null = null;
  for (let epoch = 0; epoch < inputs.epochs; epoch++) {
    // Diagnostics of the last epoch are reported: that is where clipping acts.
    for (const tensors of kept) disposeLossDiagnostics(tensors);
    kept = [];
    update = inputs.optimizer.trainStep(
      chunks,
      (chunk) => {
        const result = microBatchLoss(inputs, chunk, lossOptions);
        kept.push(result.diagnostics);
        return result.loss;
      },
      { weights },
    );
  }
  const read = await Promise.all(kept.map((tensors) => readLossDiagnostics(tensors)));
  return { update: update as PolicyUpdate["update"], diagnostics: weightedLossDiagnostics(read, weights) };
}
