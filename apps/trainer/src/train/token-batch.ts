import { splitIntoMicroBatches, type TokenRow } from "@ibtpo/policy-tfjs";
import { padTrainingBatch, type TrainingBatch, type TrainingSequence } from "@ibtpo/tpo-loss";
import * as tf from "@tensorflow/tfjs";
import { tokenRow } from "../runtime/token-row.js";

/** One micro-batch of training rows with the loss inputs that do not depend on the weights. */
export interface MicroBatch {
  readonly rows: TokenRow[];
  readonly sequences: readonly TrainingSequence[];
  readonly columns: number;
  readonly oldLogprobs: Float32Array;
  readonly advantages: Float32Array;
  readonly mask: Float32Array;
  /** This micro-batch's share of the full batch's loss normaliser. */
  readonly weight: number;
}

/** A row counts in per-sequence means with its largest token weight (k identical trajectories count k). */
function rowWeight(sequence: TrainingSequence): number {
  let largest = 0;
  for (const weight of sequence.trainWeights) if (weight > largest) largest = weight;
  return largest;
}

/**
 * Split a training batch into micro-batches of at most `size` rows. Each micro-batch's loss is
 * normalised on its own, so its weight is its share of the full batch's normaliser (trained
 * tokens for token means, row weights for sequence means): the weighted sum of micro-batch
 * losses equals the full-batch loss.
 */
export function microBatches(batch: TrainingBatch, size: number, tokenMean: boolean): MicroBatch[] {
  const sequences = batch.sequences.filter((sequence) => rowWeight(sequence) > 0);
  const trainedTokens = (chunk: readonly TrainingSequence[]) =>
    chunk.reduce((sum, sequence) => sum + sequence.trainWeights.reduce((a, b) => a + b, 0), 0);
  const rowWeights = (chunk: readonly TrainingSequence[]) =>
    chunk.reduce((sum, sequence) => sum + rowWeight(sequence), 0);
  const share = tokenMean ? trainedTokens : rowWeights;
  const total = share(sequences);
  return splitIntoMicroBatches(sequences, size).map((chunk) => {
    const chunkShare = share(chunk);
    const padded = padTrainingBatch({
      sequences: chunk,
      tokenWeighting: batch.tokenWeighting,
      trainedTokens: trainedTokens(chunk),
    });
    return {
      rows: chunk.map((sequence) => tokenRow(sequence.promptTokens, sequence.tokens)),
      sequences: chunk,
      columns: padded.columns,
      oldLogprobs: padded.oldLogprobs,
      advantages: padded.advantages,
      mask: padded.mask,
      weight: chunkShare / total,
    };
  });
}

/** A [rows, columns] float32 tensor of one of a micro-batch's arrays. */
export function microBatchTensor(microBatch: MicroBatch, values: Float32Array): tf.Tensor2D {
  return tf.tensor2d(values, [microBatch.rows.length, microBatch.columns]);
}
