import * as tf from "@tensorflow/tfjs";

/** Keeps tensors for the gradient function (tfjs copies each one: save only what the gradient needs). */
export type Saver = (tensors: tf.Tensor[]) => void;

/**
 * `tf.customGrad` with the inputs' and output's tensor types kept (the output's from `dy`),
 * instead of `any` casts at each use.
 */
export function customGradient<Inputs extends tf.Tensor[], Output extends tf.Tensor>(
  f: (...args: [...Inputs, Saver]) => {
    value: tf.Tensor;
    gradFunc: (dy: Output, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
  },
): (...inputs: Inputs) => Output {
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...inputs: Inputs) => Output;
}

/**
 * Column sums of rows `[n, d]` as `ones[1, n] @ rows`: a plain matMul stays on XNNPACK on wasm,
 * while `tf.sum(rows, 0)` transposes first and then reduces, many times slower there.
 */
export function sumRows(rows: tf.Tensor2D): tf.Tensor1D {
  const [count, width] = rows.shape;
  return tf.reshape(tf.matMul(tf.ones([1, count]), rows), [width]) as tf.Tensor1D;
}
