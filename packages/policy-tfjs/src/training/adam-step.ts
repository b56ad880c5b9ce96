import * as tf from "@tensorflow/tfjs";
import { type AdamConstants, adamOnHeap, gradientNormOnHeap } from "./adam-on-heap.js";

/** A variable's new weights and moments after one Adam(W) step. */
export interface AdamUpdate {
  readonly param: tf.Tensor;
  readonly first: tf.Tensor;
  readonly second: tf.Tensor;
}

/**
 * One Adam(W) step of a variable with tfjs ops: `g = gradient * clipScale`,
 * `m' = m beta1 + g (1 - beta1)`, `v' = v beta2 + g^2 (1 - beta2)`,
 * `param' = param - (m' stepSize / (sqrt(v' / secondCorrection) + epsilon) [+ param decay])`.
 * The kernel of {@link adamOnHeap} does the same operations in the same order.
 */
export function adamWithOps(
  param: tf.Tensor,
  gradient: tf.Tensor,
  first: tf.Tensor,
  second: tf.Tensor,
  c: AdamConstants,
): AdamUpdate {
  const g = c.clipScale === 1 ? gradient : tf.mul(gradient, c.clipScale);
  const m = tf.add(tf.mul(first, c.beta1), tf.mul(g, 1 - c.beta1));
  const v = tf.add(tf.mul(second, c.beta2), tf.mul(tf.square(g), 1 - c.beta2));
  let update = tf.div(tf.mul(m, c.stepSize), tf.add(tf.sqrt(tf.div(v, c.secondCorrection)), c.epsilon));
  if (c.decays) update = tf.add(update, tf.mul(param, c.decay));
  return { param: tf.sub(param, update), first: m, second: v };
}

/** One Adam(W) step of a variable: one kernel on wasm, tfjs ops elsewhere (the same numbers). */
export function adamStep(
  param: tf.Tensor,
  gradient: tf.Tensor,
  first: tf.Tensor,
  second: tf.Tensor,
  constants: AdamConstants,
): AdamUpdate {
  return (
    adamOnHeap(param, gradient, first, second, constants) ?? adamWithOps(param, gradient, first, second, constants)
  );
}

/** The gradients' global L2 norm with tfjs ops: `sqrt(sum over tensors of sum(g^2))`. */
export function gradientNormWithOps(gradients: readonly tf.Tensor[]): number {
  return tf.tidy(() => tf.sqrt(tf.addN(gradients.map((g) => tf.sum(tf.square(g))))).dataSync()[0]!);
}

/** The gradients' global L2 norm: summed where the tensors lie on wasm, tfjs ops elsewhere (the same number). */
export function gradientNorm(gradients: readonly tf.Tensor[]): number {
  return gradientNormOnHeap(gradients) ?? gradientNormWithOps(gradients);
}
