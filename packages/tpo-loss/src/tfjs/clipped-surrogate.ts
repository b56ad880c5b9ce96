import * as tf from "@tensorflow/tfjs";

export interface ClipSettings {
  readonly clipLow: number;
  readonly clipHigh: number;
  readonly dualClip: number | null;
}

/** Per-token surrogate loss and where the clips were active (1 or 0), all [batch, time]. */
export interface ClippedSurrogate {
  readonly tokenLoss: tf.Tensor;
  readonly ratio: tf.Tensor;
  /** The clipped term won: the ratio left [1 - clipLow, 1 + clipHigh] in the direction A pushes it. */
  readonly clipped: tf.Tensor;
  /** The upper clip won: A > 0 and the ratio above 1 + clipHigh (the bound clip-higher raises). */
  readonly clippedHigh: tf.Tensor;
  /** The lower clip won: A < 0 and the ratio below 1 - clipLow. */
  readonly clippedLow: tf.Tensor;
  /** The dual clip bounded the loss (A < 0 and ratio large). All 0 when dual clip is off. */
  readonly dualClipped: tf.Tensor;
}

/**
 * PPO's clipped surrogate per token: rho = exp(logp - oldLogp),
 * L = max(-A rho, -A clip(rho, 1 - clipLow, 1 + clipHigh)), and with dual clip c, for A < 0,
 * L = min(L, -A c) (verl's `clip_ratio_c`), which bounds the loss of a token whose ratio exploded.
 *
 * @example
 * const { tokenLoss } = clippedSurrogate(logp, oldLogp, advantages, { clipLow: 0.2, clipHigh: 0.28, dualClip: null });
 */
export function clippedSurrogate(
  logp: tf.Tensor,
  oldLogp: tf.Tensor,
  advantages: tf.Tensor,
  settings: ClipSettings,
): ClippedSurrogate {
  return tf.tidy(() => {
    const ratio = tf.exp(tf.sub(logp, oldLogp));
    const negativeAdvantages = tf.neg(advantages);
    const unclipped = tf.mul(negativeAdvantages, ratio);
    const clippedRatio = tf.clipByValue(ratio, 1 - settings.clipLow, 1 + settings.clipHigh);
    const clippedLoss = tf.mul(negativeAdvantages, clippedRatio);
    const pessimistic = tf.maximum(unclipped, clippedLoss);
    const clippedMask = tf.greater(clippedLoss, unclipped);
    const clipped = tf.cast(clippedMask, "float32");
    // The clipped term wins only outside the range, so the side of 1 tells which bound acted.
    const clippedHigh = tf.cast(tf.logicalAnd(clippedMask, tf.greater(ratio, 1)), "float32");
    const clippedLow = tf.sub(clipped, clippedHigh);
    const sides = { ratio, clipped, clippedHigh, clippedLow };
    if (settings.dualClip === null) {
      return { tokenLoss: pessimistic, ...sides, dualClipped: tf.zerosLike(pessimistic) };
    }
    const bound = tf.mul(negativeAdvantages, settings.dualClip);
    const negative = tf.less(advantages, 0);
    const tokenLoss = tf.where(negative, tf.minimum(pessimistic, bound), pessimistic);
    const dualClipped = tf.cast(tf.logicalAnd(negative, tf.greater(pessimistic, bound)), "float32");
    return { tokenLoss, ...sides, dualClipped };
  });
}
