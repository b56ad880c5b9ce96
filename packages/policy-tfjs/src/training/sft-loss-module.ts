/**
 * The SFT loss as a module for `PolicyOptimizer.trainStepInWorkers`: every thread imports it by
 * URL ({@link SFT_LOSS_MODULE}). Micro-batches are arrays of `TokenRow`.
 */
import type * as tf from "@tensorflow/tfjs";
import type { TransformerModel } from "../model/transformer-model.js";
import type { TokenRow } from "./response-log-probs.js";
import { sftLoss } from "./sft-loss.js";

export function loss(model: TransformerModel, rows: readonly TokenRow[]): tf.Scalar {
  return sftLoss(model, rows);
}
