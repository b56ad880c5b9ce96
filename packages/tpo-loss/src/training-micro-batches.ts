import { requirePositiveCount } from "./errors.js";
import type { LossAggregation, TokenWeighting } from "./option-choices.js";
import { type PaddedTrainingBatch, padTrainingBatch } from "./pad-training-batch.js";
import { similarLengthGroups } from "./similar-length-groups.js";
import { makeTrainingBatch, type TrainingBatch, type TrainingSequence } from "./training-batch.js";

/** One micro-batch of training rows, padded, with its share of the full batch's loss. */
export interface TrainingMicroBatch {
  readonly sequences: readonly TrainingSequence[];
  /** The rows as [rows, columns] arrays (columns: this micro-batch's longest row). */
  readonly padded: PaddedTrainingBatch;
  /**
   * This micro-batch's share of the full batch's loss normaliser: its trained tokens over the
   * batch's for 'token-mean', its row weights over the batch's for the sequence aggregations. The
   * weighted sum of the micro-batches' losses (each normalised on its own) is the full-batch loss.
   */
  readonly weight: number;
}

/**
 * The weight a row counts with in per-sequence means: its largest token weight (k for a row of k
 * identical trajectories trained per trajectory, 1 for a deduplicated or chain row, 0 for a row
 * with nothing to train), the same row weight the tfjs aggregation takes from the mask.
 *
 * @example
 * sequenceWeight(batch.sequences[0]); // 2 for a row standing for two identical trajectories
 */
export function sequenceWeight(sequence: TrainingSequence): number {
  let largest = 0;
  for (const weight of sequence.trainWeights) if (weight > largest) largest = weight;
  return largest;
}

/**
 * What the loss of `sequences` is normalised by, before dividing by the full batch's: their
 * trained tokens for 'token-mean', their row weights for the sequence aggregations.
 */
export function lossNormalizerShare(
  sequences: readonly TrainingSequence[],
  tokenWeighting: TokenWeighting,
  lossAggregation: LossAggregation,
): number {
  return lossAggregation === "token-mean"
    ? makeTrainingBatch(sequences, tokenWeighting).trainedTokens
    : sequences.reduce((sum, sequence) => sum + sequenceWeight(sequence), 0);
}

/**
 * Which rows share a micro-batch: 'similar-length' groups rows of similar length
 * (`similarLengthGroups`), so less of each forward is padding; 'batch-order' cuts the rows in
 * order. Both give the same number of micro-batches and the same full-batch loss and gradient, up
 * to the order of float sums (identical when there is one micro-batch).
 */
export type MicroBatchGrouping = "similar-length" | "batch-order";

/**
 * Split a training batch into micro-batches of at most `size` rows for gradient accumulation,
 * leaving out rows with nothing to train. Each micro-batch's loss is normalised on its own, so its
 * `weight` is its share of the full batch's normaliser; accumulate `weight x gradient` over the
 * micro-batches to get the full-batch gradient. Rows are grouped by length unless `grouping` says
 * 'batch-order'; within a micro-batch they keep batch order.
 *
 * @example
 * for (const micro of trainingMicroBatches(batch, 32, preset.loss.lossAggregation)) {
 *   const loss = policyLoss(inputsOf(micro.padded), preset.loss).loss; // scaled by micro.weight
 * }
 */
export function trainingMicroBatches(
  batch: TrainingBatch,
  size: number,
  lossAggregation: LossAggregation,
  grouping: MicroBatchGrouping = "similar-length",
): TrainingMicroBatch[] {
  requirePositiveCount(size, "micro-batch size");
  const sequences = batch.sequences.filter((sequence) => sequenceWeight(sequence) > 0);
  const share = (chunk: readonly TrainingSequence[]) =>
    lossNormalizerShare(chunk, batch.tokenWeighting, lossAggregation);
  const total = share(sequences);
  const chunks: TrainingSequence[][] = [];
  if (grouping === "batch-order") {
    for (let start = 0; start < sequences.length; start += size) chunks.push(sequences.slice(start, start + size));
  } else {
    for (const group of similarLengthGroups(sequences, size)) chunks.push(group.map((index) => sequences[index]!));
  }
  return chunks.map((chunk) => ({
    sequences: chunk,
    padded: padTrainingBatch(makeTrainingBatch(chunk, batch.tokenWeighting)),
    weight: share(chunk) / total,
  }));
}
