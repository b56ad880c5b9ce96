import { TpoLossInputError } from "./errors.js";
import type { TrainingBatch } from "./training-batch.js";

/** A batch as row-major [rows, columns] arrays, ready to become tensors. */
export interface PaddedTrainingBatch {
  readonly rows: number;
  readonly columns: number;
  readonly tokens: Int32Array;
  readonly oldLogprobs: Float32Array;
  readonly advantages: Float32Array;
  /** Train weights; 0 on padding. Pass as the loss's `mask`. */
  readonly mask: Float32Array;
  /** Unpadded length of each row. */
  readonly lengths: Int32Array;
}

export interface PadOptions {
  /** Row length; default the longest row. A fixed value keeps 'seq-mean-token-sum-norm' constant. */
  readonly columns?: number;
  /** Token id written on padding. Default 0. */
  readonly padToken?: number;
}

/**
 * Right-pad the rows of a training batch into [rows, columns] arrays (float32 for the tensors).
 *
 * @example
 * const padded = padTrainingBatch(batch, { columns: 64 });
 * const advantages = tf.tensor2d(padded.advantages, [padded.rows, padded.columns]);
 */
export function padTrainingBatch(batch: TrainingBatch, options: PadOptions = {}): PaddedTrainingBatch {
  const rows = batch.sequences.length;
  const longest = batch.sequences.reduce((most, sequence) => Math.max(most, sequence.tokens.length), 0);
  const columns = options.columns ?? longest;
  if (!Number.isInteger(columns) || columns < longest) {
    throw new TpoLossInputError(`is ${columns}, but the longest row has ${longest} tokens`, "option columns");
  }
  const tokens = new Int32Array(rows * columns).fill(options.padToken ?? 0);
  const oldLogprobs = new Float32Array(rows * columns);
  const advantages = new Float32Array(rows * columns);
  const mask = new Float32Array(rows * columns);
  const lengths = new Int32Array(rows);
  batch.sequences.forEach((sequence, row) => {
    const offset = row * columns;
    tokens.set(sequence.tokens, offset);
    oldLogprobs.set(sequence.oldLogprobs, offset);
    advantages.set(sequence.advantages, offset);
    mask.set(sequence.trainWeights, offset);
    lengths[row] = sequence.tokens.length;
  });
  return { rows, columns, tokens, oldLogprobs, advantages, mask, lengths };
}
