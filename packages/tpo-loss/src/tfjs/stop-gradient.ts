import * as tf from "@tensorflow/tfjs";

const identityWithZeroGradient = (x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
});

/**
 * The identity in the forward pass with a zero gradient: tfjs has no stop_gradient op, and a
 * single-update step needs logp_old = stopgrad(logp) so that ratio = 1 but d ratio / d logp = 1.
 *
 * @example
 * const ratio = tf.exp(tf.sub(logp, stopGradient(logp))); // 1, with gradient ratio * dlogp
 */
export const stopGradient = tf.customGrad(
  // customGrad's parameter type also admits the save function; this op saves nothing.
  identityWithZeroGradient as unknown as Parameters<typeof tf.customGrad>[0],
) as (x: tf.Tensor) => tf.Tensor;
