import * as tf from "@tensorflow/tfjs";
import type { TransformerModel } from "../model/transformer-model.js";
import type { LogProbsBatch } from "../workers/model-worker.js";
import { responseLogProbs } from "./response-log-probs.js";

/**
 * The response log-probs of one batch as a plain `[rows, columns]` row-major array, without
 * gradients: the training forward's numbers, on whichever thread runs it.
 */
export function batchLogProbs(model: TransformerModel, batch: LogProbsBatch): Float32Array {
  return tf.tidy(() => {
    const { logprobs } = responseLogProbs(model, batch.rows, {
      temperature: batch.temperature,
      columns: batch.columns,
    });
    // A copy, so the array owns its buffer (a worker transfers it).
    return Float32Array.from(logprobs.dataSync() as Float32Array);
  });
}
