import * as tf from "@tensorflow/tfjs";
import type { LossAggregation } from "../option-choices.js";

// Guards a division by a weight sum that is 0 only when nothing is trained (the numerator is then 0 too).
const tiny = 1e-12;

/**
 * Reduce per-token values [batch, time] to a scalar under a train-weight mask.
 *
 * A row's weight r_i is its largest token weight (the number of trajectories it stands for: k
 * for a row of k identical trajectories trained per trajectory, 1 for a deduplicated or chain
 * row, 0 for a row with nothing to train), so a row of weight k counts like k copies of the row;
 * n_i is the number of tokens the row trains (m > 0):
 * - 'token-mean': sum(m x) / sum(m)  (DAPO; TRL 'dapo'/'bnpo'; verl 'token-mean')
 * - 'seq-mean-token-mean': sum_i r_i (sum_t m x / (r_i n_i)) / sum_i r_i  (GRPO; TRL 'grpo'): the
 *   mean over the row's trained tokens, each weighted by m / r_i, which is 1 wherever a row's
 *   weights are all equal (every weighting but 'reach-probability', where a shared prefix weighs
 *   less than the rest of the row)
 * - 'seq-mean-token-sum-norm': sum(m x) / (sum_i r_i x L)  (Dr.GRPO), L = normalizerLength or time
 *
 * @example
 * const loss = aggregateTokenValues(tokenLoss, mask, "token-mean");
 */
export function aggregateTokenValues(
  values: tf.Tensor,
  mask: tf.Tensor,
  mode: LossAggregation,
  normalizerLength: number | null = null,
): tf.Scalar {
  return tf.tidy(() => {
    const weighted = tf.mul(values, mask);
    if (mode === "token-mean") return tf.div(tf.sum(weighted), tf.maximum(tf.sum(mask), tiny));
    const rowWeights = tf.max(mask, 1);
    const rowWeightSum = tf.maximum(tf.sum(rowWeights), tiny);
    if (mode === "seq-mean-token-mean") {
      const trainedTokens = tf.sum(tf.cast(tf.greater(mask, 0), "float32"), 1);
      const rowMeans = tf.div(tf.sum(weighted, 1), tf.maximum(tf.mul(rowWeights, trainedTokens), tiny));
      return tf.div(tf.sum(tf.mul(rowWeights, rowMeans)), rowWeightSum);
    }
    const length = normalizerLength ?? (values.shape[1] as number);
    return tf.div(tf.sum(weighted), tf.mul(rowWeightSum, length));
  }) as tf.Scalar;
}
