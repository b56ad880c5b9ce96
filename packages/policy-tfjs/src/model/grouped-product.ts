import * as tf from "@tensorflow/tfjs";
import type { Saver } from "./custom-gradient.js";
import { customGradient } from "./custom-gradient.js";
import { recordingGradients } from "./gradient-mode.js";

/**
 * `g` independent matrix products in one op: `out[m, g, n] = sum_k a[m, k, g] * b[k, g, n]`,
 * for `a` `[m, k, g]` and `b` `[k, g, n]`.
 *
 * This is attention's batched product (scores and weighted values, one product per row and head)
 * written as a depthwise convolution: `a` is a `[1, m, k, g]` image with `g` channels and `b` a
 * `[1, k]` filter with `n` outputs per channel, so each output pixel m of channel g is row m of
 * `a_g` times `b_g`. The wasm backend runs depthwise convolutions on XNNPACK, while every batched
 * (rank > 2) or transposed matMul leaves it for a scalar loop several times slower. It has no
 * depthwise backprop kernels, so the gradient is written out with the same product:
 * `da[m, k, g] = sum_n dout[m, g, n] b[k, g, n]` and `db[k, g, n] = sum_m a[m, k, g] dout[m, g, n]`.
 */
export function groupedProduct(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return recordingGradients() ? groupedProductWithGradient(a, b) : depthwiseProduct(a, b);
}

function depthwiseProduct(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const [m, k, g] = a.shape;
  const n = b.shape[2];
  const image = tf.reshape(a, [1, m, k, g]) as tf.Tensor4D;
  const filter = tf.reshape(b, [1, k, g, n]) as tf.Tensor4D;
  return tf.reshape(tf.depthwiseConv2d(image, filter, 1, "valid"), [m, g, n]) as tf.Tensor3D;
}

const groupedProductWithGradient = customGradient((a: tf.Tensor3D, b: tf.Tensor3D, save: Saver) => {
  save([a, b]);
  return {
    value: depthwiseProduct(a, b),
    gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
      const [savedA, savedB] = saved as [tf.Tensor3D, tf.Tensor3D];
      // da as [m, g, k] from dy [m, n, g] and b [n, g, k], then back to [m, k, g].
      const da = tf.transpose(
        depthwiseProduct(tf.transpose(dy, [0, 2, 1]), tf.transpose(savedB, [2, 1, 0])),
        [0, 2, 1],
      ) as tf.Tensor3D;
      const db = depthwiseProduct(tf.transpose(savedA, [1, 0, 2]), dy);
      return [da, db];
    },
  };
});
