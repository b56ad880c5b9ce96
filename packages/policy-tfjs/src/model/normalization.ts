import * as tf from "@tensorflow/tfjs";

/** LayerNorm over the last axis of rows `[n, d]`: `(x - mean) / sqrt(var + epsilon) * gain + bias`. */
export function layerNorm(x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D, epsilon: number): tf.Tensor2D {
  // Written out rather than tf.moments, which subtracts the mean twice and adds a cast and reshape.
  const centred = tf.sub(x, tf.mean(x, -1, true));
  const inverseDeviation = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), epsilon));
  return tf.add(tf.mul(tf.mul(centred, inverseDeviation), gain), bias);
}

// 0.5 (1 + tanh(u)) = sigmoid(2u), and sigmoid is several times cheaper than tanh or pow on wasm.
const SIGMOID_SCALE = 2 * Math.sqrt(2 / Math.PI);
const CUBIC = 0.044715;

/**
 * GELU, tanh approximation (as in GPT-2): `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`,
 * computed as `x * sigmoid(x * (a + b x^2))` with `a = 2 sqrt(2/pi)`, `b = a * 0.044715`.
 */
export function gelu(x: tf.Tensor2D): tf.Tensor2D {
  const slope = tf.add(tf.mul(tf.square(x), SIGMOID_SCALE * CUBIC), SIGMOID_SCALE);
  return tf.mul(x, tf.sigmoid(tf.mul(x, slope)));
}
