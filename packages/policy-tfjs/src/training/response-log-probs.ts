import * as tf from "@tensorflow/tfjs";
import { PolicyTfjsError } from "../errors.js";
import { leftPaddedLayout } from "../model/batch-layout.js";
import type { TransformerModel } from "../model/transformer-model.js";

/** One training sequence: prompt tokens followed by response tokens. */
export interface TokenRow {
  readonly tokens: ArrayLike<number>;
  /** How many leading tokens are the prompt (>= 1); the rest is the response that gets log-probs. */
  readonly promptLength: number;
}

/**
 * Per-response-token tensors `[rows, maxResponseLength]` (float32), aligned so that column j is
 * response token j of each row; columns past a row's response are 0 and masked out.
 */
export interface ResponseLogProbs {
  /** log pi(token | everything before it), at the given temperature. Differentiable. */
  readonly logprobs: tf.Tensor2D;
  /** Entropy (nats) of the full next-token distribution at each response position. Differentiable. */
  readonly entropies: tf.Tensor2D;
  /** 1 for real response tokens, 0 for padding. */
  readonly mask: tf.Tensor2D;
  readonly responseLengths: Int32Array;
}

/**
 * The training forward: one pass over a padded batch of prompt + response rows, returning the
 * response tokens' log-probs and entropies for a loss. Call it inside the loss closure given to
 * `trainStep` (or inside `tf.tidy`), since it allocates tensors.
 *
 * @example
 * const loss = () => tf.tidy(() => {
 *   const { logprobs, mask } = responseLogProbs(model, rows);
 *   return tf.neg(tf.div(tf.sum(tf.mul(logprobs, mask)), tf.sum(mask))); // SFT cross-entropy
 * });
 */
export function responseLogProbs(
  model: TransformerModel,
  rows: readonly TokenRow[],
  options: {
    readonly temperature?: number;
    /** Output width; default the longest response. Match a loss batch padded to fixed columns. */
    readonly columns?: number;
  } = {},
): ResponseLogProbs {
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0)) throw new PolicyTfjsError(`must be > 0, got ${temperature}`, "temperature");
  if (rows.length === 0) throw new PolicyTfjsError("the batch has no rows", "rows");
  const { contextLength, vocabSize } = model.config;
  const promptLengths = new Int32Array(rows.length);
  const responseLengths = new Int32Array(rows.length);
  rows.forEach((row, index) => {
    if (!Number.isInteger(row.promptLength) || row.promptLength < 1 || row.promptLength > row.tokens.length) {
      throw new PolicyTfjsError(
        `promptLength ${row.promptLength} must be an integer in [1, ${row.tokens.length}]`,
        `rows[${index}]`,
      );
    }
    if (row.tokens.length > contextLength) {
      throw new PolicyTfjsError(
        `${row.tokens.length} tokens exceed the context length ${contextLength}`,
        `rows[${index}]`,
      );
    }
    for (let position = 0; position < row.tokens.length; position++) {
      const id = row.tokens[position]!;
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
        throw new PolicyTfjsError(
          `token ${id} is outside the vocabulary of ${vocabSize}`,
          `rows[${index}].tokens[${position}]`,
        );
      }
    }
    promptLengths[index] = row.promptLength;
    responseLengths[index] = row.tokens.length - row.promptLength;
  });
  const promptWidth = Math.max(...promptLengths);
  const responseWidth = Math.max(1, ...responseLengths);
  const columns = options.columns ?? responseWidth;
  if (!Number.isInteger(columns) || columns < Math.max(...responseLengths)) {
    throw new PolicyTfjsError(
      `is ${columns}, but the longest response has ${Math.max(...responseLengths)} tokens`,
      "columns",
    );
  }
  // The last response token is only ever a target, never an input.
  const width = promptWidth + responseWidth - 1;
  const layout = leftPaddedLayout(promptLengths, promptWidth);
  const inputIds = new Int32Array(rows.length * width);
  const targetIds = new Int32Array(rows.length * responseWidth);
  const maskValues = new Float32Array(rows.length * responseWidth);
  rows.forEach((row, index) => {
    for (let column = 0; column < width; column++) {
      const position = column - layout.leftPad[index]!;
      if (position >= 0 && position < row.tokens.length) inputIds[index * width + column] = row.tokens[position]!;
    }
    for (let offset = 0; offset < responseLengths[index]!; offset++) {
      targetIds[index * responseWidth + offset] = row.tokens[row.promptLength + offset]!;
      maskValues[index * responseWidth + offset] = 1;
    }
  });
  // Right-padding columns of a short row may run past the context; their outputs are never read.
  const positions = layout.positions(0, width).map((position) => Math.min(position, contextLength - 1));
  const tensors = tf.tidy(() => {
    const { hidden } = model.hiddenStates(
      tf.tensor2d(inputIds, [rows.length, width], "int32"),
      tf.tensor2d(positions, [rows.length, width], "int32"),
      tf.tensor4d(layout.attentionBias(0, width), [rows.length, 1, width, width]),
      null,
    );
    const responseHidden = tf.reshape(
      tf.slice(tf.reshape(hidden, [rows.length, width, -1]), [0, promptWidth - 1, 0], [-1, responseWidth, -1]),
      [rows.length * responseWidth, -1],
    ) as tf.Tensor2D;
    const logits = model.logits(responseHidden);
    const logSoftmax = tf.logSoftmax(temperature === 1 ? logits : tf.div(logits, temperature));
    const targets = tf.cast(tf.oneHot(tf.tensor1d(targetIds, "int32"), vocabSize), "float32");
    const logprobs = tf.reshape(tf.sum(tf.mul(targets, logSoftmax), 1), [rows.length, responseWidth]) as tf.Tensor2D;
    const entropies = tf.reshape(tf.neg(tf.sum(tf.mul(tf.exp(logSoftmax), logSoftmax), 1)), [
      rows.length,
      responseWidth,
    ]) as tf.Tensor2D;
    const mask = tf.tensor2d(maskValues, [rows.length, responseWidth]);
    const widen = (tensor: tf.Tensor2D) =>
      columns === responseWidth
        ? tensor
        : tf.pad(tensor, [
            [0, 0],
            [0, columns - responseWidth],
          ]);
    return {
      logprobs: widen(tf.mul(logprobs, mask)),
      entropies: widen(tf.mul(entropies, mask)),
      mask: widen(mask),
    };
  });
  return { ...tensors, responseLengths };
}
