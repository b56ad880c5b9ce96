/**
 * A PPO-style clipped policy-gradient loss with an entropy bonus, as a loss module for
 * `trainStepInWorkers` tests: plain-data micro-batches, and a report read inside the loss.
 */
import * as tf from "@tensorflow/tfjs";
import type { TransformerModel } from "../model/transformer-model.js";
import type { ModuleLossResult } from "./accumulate-gradients.js";
import { responseLogProbs, type TokenRow } from "./response-log-probs.js";

export interface ClippedMicroBatch {
  readonly rows: readonly TokenRow[];
  readonly columns: number;
  /** `[rows, columns]` row-major, like the advantages. */
  readonly oldLogprobs: Float32Array;
  readonly advantages: Float32Array;
}

export function loss(model: TransformerModel, batch: ClippedMicroBatch): ModuleLossResult {
  let clipFraction = 0;
  const value = tf.tidy(() => {
    const { logprobs, entropies, mask } = responseLogProbs(model, batch.rows, {
      temperature: 0.9,
      columns: batch.columns,
    });
    const shape: [number, number] = [batch.rows.length, batch.columns];
    const advantages = tf.tensor2d(batch.advantages, shape);
    const ratio = tf.exp(tf.sub(logprobs, tf.tensor2d(batch.oldLogprobs, shape)));
    const clipped = tf.clipByValue(ratio, 0.8, 1.2);
    const surrogate = tf.minimum(tf.mul(ratio, advantages), tf.mul(clipped, advantages));
    const tokens = tf.maximum(tf.sum(mask), 1);
    clipFraction = tf.div(tf.sum(tf.mul(tf.cast(tf.notEqual(ratio, clipped), "float32"), mask)), tokens).dataSync()[0]!;
    const policy = tf.neg(tf.div(tf.sum(tf.mul(surrogate, mask)), tokens));
    return tf.sub(policy, tf.mul(tf.div(tf.sum(entropies), tokens), 0.01)) as tf.Scalar;
  });
  return { loss: value, report: { clipFraction } };
}
