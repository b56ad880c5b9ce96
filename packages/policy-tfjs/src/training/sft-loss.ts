import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import type { TransformerModel } from "../model/transformer-model.js";
import { siblingModule } from "../util/sibling-module.js";
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

/**
 * URL of a module whose `loss` export is {@link sftLoss}, for
 * `optimizer.trainStepInWorkers(microBatchesOfRows, SFT_LOSS_MODULE)`.
 */
export const SFT_LOSS_MODULE: string = pathToFileURL(siblingModule(import.meta.url, "sft-loss-module").path).href;
