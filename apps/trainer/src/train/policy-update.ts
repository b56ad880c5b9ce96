import { type PolicyOptimizer, responseLogProbs, type TransformerModel } from "@ibtpo/policy-tfjs";
import { type ResolvedPolicyLossOptions, type TrainingBatch, trainingMiniBatches } from "@ibtpo/tpo-loss";
import {
  disposeLossDiagnostics,
  type LossDiagnostics,
  type LossDiagnosticsTensors,
  policyLoss,
  readLossDiagnostics,
  stopGradient,
  weightedLossDiagnostics,
} from "@ibtpo/tpo-loss/tfjs";
import * as tf from "@tensorflow/tfjs";
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
  /** Passes over the batch (PPO epochs). */
  readonly epochs: number;
  /** Optimizer steps per pass, each on its share of the batch's prompts (PPO mini-batches). */
  readonly miniBatches: number;
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

/** The frozen reference policy's log-probs of a micro-batch's tokens, or null without a KL term. */
function referenceLogProbs(inputs: PolicyUpdateInputs, chunk: MicroBatch): tf.Tensor2D | null {
  const { reference, temperature } = inputs;
  if (reference === null) return null;
  // tidy: the reference's entropies and the graph behind its log-probs are not kept.
  return tf.tidy(() => stopGradient(responseLogProbs(reference, chunk.rows, { temperature }).logprobs) as tf.Tensor2D);
}

/**
 * The algorithm's clipped loss (plus KL and entropy terms) on one micro-batch, with log-probs
 * under the sampling temperature and the ratio taken against the sampling log-probs. `refLogp`
 * (the reference's log-probs, which never change) is computed here when not given.
 */
export function microBatchLoss(
  inputs: PolicyUpdateInputs,
  chunk: MicroBatch,
  lossOptions: ResolvedPolicyLossOptions,
  refLogp: tf.Tensor2D | null = referenceLogProbs(inputs, chunk),
): { loss: tf.Scalar; diagnostics: LossDiagnosticsTensors } {
  const { model, temperature } = inputs;
  const { logprobs, entropies } = responseLogProbs(model, chunk.rows, { temperature });
  return policyLoss(
    {
      logp: logprobs,
      oldLogp: microBatchTensor(chunk, chunk.oldLogprobs),
      advantages: microBatchTensor(chunk, chunk.advantages),
      mask: microBatchTensor(chunk, chunk.mask),
      entropy: entropies,
      refLogp,
    },
    lossOptions,
  );
}

/**
 * `epochs` passes over one training batch, each `miniBatches` optimizer steps on a share of the
 * batch's prompts (tpo-loss `trainingMiniBatches`). Each step accumulates the gradient of the
 * algorithm's clipped loss (plus KL and entropy terms) over micro-batches, weighted so the sum
 * equals the mini-batch's loss. The ratio is taken against the sampling log-probs, so every step
 * after the first is clipped.
 */
export async function updatePolicy(inputs: PolicyUpdateInputs, batch: TrainingBatch): Promise<PolicyUpdate> {
  const aggregation = inputs.loss.lossAggregation;
  const steps = trainingMiniBatches(batch, inputs.miniBatches, aggregation)
    .map((mini) => ({ weight: mini.weight, chunks: microBatches(mini.batch, inputs.microBatchSize, aggregation) }))
    .filter((step) => step.chunks.length > 0);
  const lossOptions = updateLossOptions(inputs);
  // The reference is frozen: its log-probs are taken once per micro-batch, not once per epoch.
  const references = new Map(
    steps.flatMap((step) => step.chunks.map((chunk) => [chunk, referenceLogProbs(inputs, chunk)])),
  );
  let kept: { tensors: LossDiagnosticsTensors; weight: number }[] = [];
  let update: PolicyUpdate["update"] | null = null;
  try {
    for (let epoch = 0; epoch < inputs.epochs; epoch++) {
      // Diagnostics of the last epoch are reported: that is where clipping acts.
      for (const { tensors } of kept) disposeLossDiagnostics(tensors);
      kept = [];
      for (const step of steps) {
        const weights = step.chunks.map((chunk) => chunk.weight);
        update = inputs.optimizer.trainStep(
          step.chunks,
          (chunk) => {
            const result = microBatchLoss(inputs, chunk, lossOptions, references.get(chunk) ?? null);
            kept.push({ tensors: result.diagnostics, weight: step.weight * chunk.weight });
            return result.loss;
          },
          { weights },
        );
      }
    }
  } finally {
    for (const tensor of references.values()) tensor?.dispose();
  }
  const read = await Promise.all(kept.map(({ tensors }) => readLossDiagnostics(tensors)));
  const diagnostics = weightedLossDiagnostics(
    read,
    kept.map(({ weight }) => weight),
  );
  return { update: update as PolicyUpdate["update"], diagnostics };
}
