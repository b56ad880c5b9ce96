import * as tf from "@tensorflow/tfjs";
import { PolicyTfjsError } from "../errors.js";
import type { TransformerModel } from "../model/transformer-model.js";
import { responseLogProbs, type TokenRow } from "./response-log-probs.js";

/** Per-row plain numbers from {@link scoreRows}: one entry per response token. */
export interface RowScores {
  readonly logprobs: Float64Array;
  readonly entropies: Float64Array;
}

/**
 * Response-token log-probs and entropies of many rows as plain arrays, without gradients, in
 * chunks of `chunkRows` rows (the wasm heap grows to the largest chunk). For reference-policy
 * log-probs of a KL term, or old log-probs recomputed with the training forward.
 *
 * @example
 * const reference = model.clone();
 * const scores = scoreRows(reference, rows, { chunkRows: 16 });
 * scores[0].logprobs; // Float64Array, one value per response token of rows[0]
 */
export function scoreRows(
  model: TransformerModel,
  rows: readonly TokenRow[],
  options: { readonly temperature?: number; readonly chunkRows?: number } = {},
): RowScores[] {
  const chunkRows = options.chunkRows ?? 32;
  if (!Number.isInteger(chunkRows) || chunkRows < 1) {
    throw new PolicyTfjsError(`must be a positive integer, got ${chunkRows}`, "chunkRows");
  }
  const scores: RowScores[] = [];
  for (let start = 0; start < rows.length; start += chunkRows) {
    const chunk = rows.slice(start, start + chunkRows);
    const [logprobs, entropies, lengths] = tf.tidy(() => {
      const result = responseLogProbs(
        model,
        chunk,
        options.temperature === undefined ? {} : { temperature: options.temperature },
      );
      return [result.logprobs.arraySync(), result.entropies.arraySync(), result.responseLengths] as const;
    });
    chunk.forEach((_, index) => {
      const length = lengths[index]!;
      scores.push({
        logprobs: Float64Array.from(logprobs[index]!.slice(0, length)),
        entropies: Float64Array.from(entropies[index]!.slice(0, length)),
      });
    });
  }
  return scores;
}
