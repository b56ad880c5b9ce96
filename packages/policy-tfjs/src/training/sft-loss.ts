import * as tf from "@tensorflow/tfjs";
import type { TransformerModel } from "../model/transformer-model.js";
import { responseLogProbs, type TokenRow } from "./response-log-probs.js";

/**
 * Supervised fine-tuning loss: the mean negative log-likelihood over every response token of the
 * batch (token-mean). Use as the `lossFn` of {@link PolicyOptimizer.trainStep}.
 *
 * @example
 * optimizer.trainStep([rows], (batch) => sftLoss(model, batch));
 */
export function sftLoss(model: TransformerModel, rows: readonly TokenRow[]): tf.Scalar {
  return tf.tidy(() => {
    const { logprobs, mask } = responseLogProbs(model, rows);
    return tf.neg(tf.div(tf.sum(logprobs), tf.maximum(tf.sum(mask), 1))) as tf.Scalar;
  });
}
