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
      return [tf.matMul(dy, tf.transpose(savedW)), tf.matMul(tf.transpose(savedX), dy)];
    },
  };
});

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
 * {@link affine} with the same gradient as above, the bias gradient coming out of the weight
 * gradient's product as one more row: `[xᵀ; ones] @ dy`. XNNPACK packs a product's right operand
 * anew for every fresh tensor (for a step's `[2016, 128]` gradient about a third of the product's
 * time), so `dy` is packed once for both, where a separate column sum would transpose or pack it
 * again.
 */
const affineExplicitGradient = customGradient((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: Saver) => {
  save([x, w]);
  return {
    value: affine(x, w, b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [savedX, savedW] = saved as [tf.Tensor2D, tf.Tensor2D];
      const inputs = savedX.shape[1];
      const outputs = dy.shape[1];
      const weightAndBias = tf.matMul(
        tf.pad(
          tf.transpose(savedX),
          [
            [0, 1],
            [0, 0],
          ],
          1,
        ),
        dy,
      );
      return [
        tf.matMul(dy, tf.transpose(savedW)),
        tf.slice(weightAndBias, [0, 0], [inputs, outputs]),
        tf.reshape(tf.slice(weightAndBias, [inputs, 0], [1, outputs]), [outputs]),
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
