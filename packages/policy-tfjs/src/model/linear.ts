import * as tf from "@tensorflow/tfjs";
import { customGradient, type Saver } from "./custom-gradient.js";
import { recordingGradients } from "./gradient-mode.js";

/**
 * `x @ w` for 2-D tensors with a gradient that transposes explicitly. tfjs's own MatMul gradient
 * uses the transposeA/transposeB flags, which send the wasm backend from XNNPACK to a naive loop
 * about 10x slower; a separate transpose followed by a plain matMul stays on the fast path.
 */
const matMulExplicitGradient = customGradient((x: tf.Tensor2D, w: tf.Tensor2D, save: Saver) => {
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [savedX, savedW] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(savedW)), weightGradient(savedX, tf.transpose(dy))];
    },
  };
});

/**
 * A dense layer's weight gradient `xᵀ @ dy` as `(dyᵀ @ x)ᵀ`, given `dyᵀ`. XNNPACK packs a
 * product's right operand anew for every fresh tensor; here that is the layer's input `x`, packed
 * once for every product that takes it (the three projections of one LayerNorm's output share it),
 * where `xᵀ @ dy` packed each fresh `dy` (for a `[2016, 512]` gradient about a third of the
 * product's time). The transpose back is of the small `[out, in]` result.
 */
function weightGradient(x: tf.Tensor2D, dyTransposed: tf.Tensor2D): tf.Tensor2D {
  return tf.transpose(tf.matMul(dyTransposed, x)) as tf.Tensor2D;
}

/**
 * `x [1, n, in] @ w [1, in, out] + b [out]` as the backend's fused product kernel, called
 * directly: the bias is added inside XNNPACK on wasm, one elementwise kernel fewer per dense
 * layer, and `tf.fused.matMul` would add a gradient wrapper and three reshapes (the wasm kernel
 * takes rank-3 operands), more kernels than it saves in a decode step. No gradient.
 */
export function fusedAffine(x: tf.Tensor3D, w: tf.Tensor3D, b: tf.Tensor1D): tf.Tensor3D {
  const attributes = { transposeA: false, transposeB: false, activation: "linear" };
  return tf.engine().runKernel("_FusedMatMul", { a: x, b: w, bias: b }, attributes) as tf.Tensor3D;
}

/** {@link fusedAffine} on 2-D rows. */
function affine(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  const [rows, inputs] = x.shape;
  const outputs = w.shape[1];
  const product = fusedAffine(tf.reshape(x, [1, rows, inputs]), tf.reshape(w, [1, inputs, outputs]), b);
  return tf.reshape(product, [rows, outputs]) as tf.Tensor2D;
}

/**
 * {@link affine} with the same gradient as above; the bias gradient is `dyᵀ @ ones[n, 1]` from the
 * weight gradient's transpose of `dy` (a ones column is `n` numbers to pack).
 */
const affineExplicitGradient = customGradient((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: Saver) => {
  save([x, w]);
  return {
    value: affine(x, w, b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [savedX, savedW] = saved as [tf.Tensor2D, tf.Tensor2D];
      const [rows, outputs] = dy.shape;
      const dyTransposed = tf.transpose(dy);
      return [
        tf.matMul(dy, tf.transpose(savedW)),
        weightGradient(savedX, dyTransposed),
        tf.reshape(tf.matMul(dyTransposed, tf.ones([rows, 1])), [outputs]),
      ];
    },
  };
});

/** A dense layer's weight `[in, out]` and bias `[out]`. */
export interface Projection {
  readonly weight: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
}

/** A dense layer on rows: `x [n, in] @ w [in, out] + b [out]`. */
export function linear(x: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  if (recordingGradients()) {
    return bias === undefined ? matMulExplicitGradient(x, weight) : affineExplicitGradient(x, weight, bias);
  }
  return bias === undefined ? (tf.matMul(x, weight) as tf.Tensor2D) : affine(x, weight, bias);
}

/**
 * Rows of `table` picked by integer ids, as a one-hot matrix product: `tf.gather`'s gradient needs
 * UnsortedSegmentSum, which the wasm backend lacks (and gather is slower than this product there),
 * and a float32 `tf.oneHot` returns garbage on wasm, so the one-hot is built as int32 and cast.
 * No gradient flows to the ids.
 */
export function embeddingLookup(ids: tf.Tensor1D, table: tf.Tensor2D): tf.Tensor2D {
  const oneHot = tf.cast(tf.oneHot(ids, table.shape[0]), "float32") as tf.Tensor2D;
  return recordingGradients() ? oneHotProduct(oneHot, table) : (tf.matMul(oneHot, table) as tf.Tensor2D);
}

const oneHotProduct = customGradient((oneHot: tf.Tensor2D, table: tf.Tensor2D, save: Saver) => {
  save([oneHot]);
  return {
    value: tf.matMul(oneHot, table),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [savedOneHot] = saved as [tf.Tensor2D];
      return [tf.zerosLike(savedOneHot), tf.matMul(tf.transpose(savedOneHot), dy)];
    },
  };
});
