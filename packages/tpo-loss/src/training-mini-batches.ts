import { requirePositiveCount } from "./errors.js";
import type { LossAggregation } from "./option-choices.js";
import { makeTrainingBatch, type TrainingBatch } from "./training-batch.js";
import { lossNormalizerShare } from "./training-micro-batches.js";

/** One optimizer step's share of a sampled batch: whole groups (prompts), in batch order. */
export interface TrainingMiniBatch {
  readonly batch: TrainingBatch;
  /**
   * Its share of the full batch's loss normaliser (trained tokens for 'token-mean', row weights
   * for the sequence aggregations), to combine the mini-batches' diagnostics into the batch's.
   */
  readonly weight: number;
}

/**
 * Split a sampled batch into `count` mini-batches for PPO-style updates: one optimizer step per
 * mini-batch, so the later steps of an epoch train on log-probs that have moved away from the
 * sampling policy's, where clipping acts. Each group (the responses or tree of one prompt) stays
 * in one mini-batch; groups are dealt out in order, `ceil(groups / count)` to a mini-batch at
 * most, so there are fewer mini-batches than `count` when there are fewer groups. Each
 * mini-batch's loss is normalised on its own, as a batch.
 *
 * @example
 * for (const mini of trainingMiniBatches(batch, 4, preset.loss.lossAggregation)) {
 *   optimizerStep(trainingMicroBatches(mini.batch, 32, preset.loss.lossAggregation));
 * }
 */
export function trainingMiniBatches(
  batch: TrainingBatch,
  count: number,
  lossAggregation: LossAggregation,
): TrainingMiniBatch[] {
  requirePositiveCount(count, "mini-batch count");
  const groups = [...new Set(batch.sequences.map((sequence) => sequence.groupIndex))];
  const perMiniBatch = Math.max(1, Math.ceil(groups.length / count));
  const total = lossNormalizerShare(batch.sequences, batch.tokenWeighting, lossAggregation);
  const miniBatches: TrainingMiniBatch[] = [];
  for (let start = 0; start < groups.length; start += perMiniBatch) {
    const members = new Set(groups.slice(start, start + perMiniBatch));
    const sequences = batch.sequences.filter((sequence) => members.has(sequence.groupIndex));
    const share = lossNormalizerShare(sequences, batch.tokenWeighting, lossAggregation);
    miniBatches.push({
      batch: makeTrainingBatch(sequences, batch.tokenWeighting),
      weight: total > 0 ? share / total : 0,
    });
  }
  return miniBatches;
}
