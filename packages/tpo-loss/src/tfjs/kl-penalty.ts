import * as tf from "@tensorflow/tfjs";
import type { KlEstimator } from "../option-choices.js";

/**
 * Per-token estimate of KL(pi_theta || pi_ref) from log-probs of the sampled tokens
 * (Schulman's estimators; d = logp - refLogp):
 * - k1 = d (unbiased, high variance, can be negative)
 * - k2 = d^2 / 2 (biased, low variance)
 * - k3 = exp(-d) + d - 1 (unbiased, >= 0), clamped to [-10, 10]; the log-ratio inside exp is first
 *   clamped to [-20, 20] so exp cannot overflow float32 and poison the gradient with inf x 0.
 *
 * @example
 * const kl = klPenalty(logp, refLogp, "k3"); // [batch, time]
 */
export function klPenalty(logp: tf.Tensor, refLogp: tf.Tensor, estimator: KlEstimator): tf.Tensor {
  return tf.tidy(() => {
    const difference = tf.sub(logp, refLogp);
    if (estimator === "k1") return difference;
    if (estimator === "k2") return tf.mul(tf.square(difference), 0.5);
    const logRatio = tf.clipByValue(tf.neg(difference), -20, 20);
    return tf.clipByValue(tf.sub(tf.sub(tf.exp(logRatio), logRatio), 1), -10, 10);
  });
}
