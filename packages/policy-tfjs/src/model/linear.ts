import * as tf from "@tensorflow/tfjs";
import { recordingGradients } from "./gradient-mode.js";

type Saver = (tensors: tf.Tensor[]) => void;

/**
 * `x @ w` for 2-D tensors with a gradient that transposes explicitly. tfjs's own MatMul gradient
 * uses the transposeA/transposeB flags, which send the wasm backend from XNNPACK to a naive loop
 * about 10x slower; a separate transpose followed by a plain matMul stays on the fast path.
 */
const matMulExplicitGradient = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, save: Saver) => {
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [savedX, savedW] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(savedW)), tf.matMul(tf.transpose(savedX), dy)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/** A dense layer on rows: `x [n, in] @ w [in, out] + b [out]`. */
export function linear(x: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  const product = recordingGradients() ? matMulExplicitGradient(x, weight) : (tf.matMul(x, weight) as tf.Tensor2D);
  return bias === undefined ? product : tf.add(product, bias);
}

/**
 * Rows of `table` picked by integer ids, as a one-hot matrix product: `tf.gather`'s gradient needs
 * UnsortedSegmentSum, which the wasm backend lacks, and a float32 `tf.oneHot` returns garbage
 * there, so the one-hot is built as int32 and cast. No gradient flows to the ids.
 */
export function embeddingLookup(ids: tf.Tensor1D, table: tf.Tensor2D): tf.Tensor2D {
  const oneHot = tf.cast(tf.oneHot(ids, table.shape[0]), "float32") as tf.Tensor2D;
  return recordingGradients() ? oneHotProduct(oneHot, table) : (tf.matMul(oneHot, table) as tf.Tensor2D);
}

const oneHotProduct = tf.customGrad(((oneHot: tf.Tensor2D, table: tf.Tensor2D, save: Saver) => {
  save([oneHot]);
  return {
    value: tf.matMul(oneHot, table),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [savedOneHot] = saved as [tf.Tensor2D];
      return [tf.zerosLike(savedOneHot), tf.matMul(tf.transpose(savedOneHot), dy)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
  oneHot: tf.Tensor2D,
  table: tf.Tensor2D,
) => tf.Tensor2D;
