import * as tf from "@tensorflow/tfjs";
import { linear } from "./linear.js";

/** One layer's attention weights, `[in, out]` matrices as everywhere in the model. */
export interface AttentionWeights {
  readonly qkvWeight: tf.Tensor2D;
  readonly qkvBias: tf.Tensor1D;
  readonly outputWeight: tf.Tensor2D;
  readonly outputBias: tf.Tensor1D;
}

/**
 * Multi-head attention of `time` new columns per row over the cached columns plus themselves.
 * `normed` is `[batch * time, d]`; `bias` `[batch, 1, time, past + time]` carries the causal and
 * padding masks. Returns the output rows and this layer's extended keys and values
 * (`[batch, heads, past + time, d / heads]`).
 */
export function causalAttention(
  normed: tf.Tensor2D,
  weights: AttentionWeights,
  shape: { readonly batch: number; readonly time: number; readonly heads: number },
  bias: tf.Tensor4D,
  past: { readonly keys: tf.Tensor4D; readonly values: tf.Tensor4D } | null,
): { output: tf.Tensor2D; keys: tf.Tensor4D; values: tf.Tensor4D } {
  const { batch, time, heads } = shape;
  const modelDimension = normed.shape[1];
  const headDimension = modelDimension / heads;
  // With one column (a decode step) the head transposes move no data, so a reshape does.
  const toHeads = (rows: tf.Tensor2D): tf.Tensor4D =>
    time === 1
      ? (tf.reshape(rows, [batch, heads, 1, headDimension]) as tf.Tensor4D)
      : (tf.transpose(tf.reshape(rows, [batch, time, heads, headDimension]), [0, 2, 1, 3]) as tf.Tensor4D);
  const qkv = linear(normed, weights.qkvWeight, weights.qkvBias);
  const [q, k, v] = tf.split(qkv, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const keys = past ? tf.concat([past.keys, toHeads(k)], 2) : toHeads(k);
  const values = past ? tf.concat([past.values, toHeads(v)], 2) : toHeads(v);
  // Scaling q (time x d) is cheaper than scaling the scores (time x columns x heads).
  const scaledQ = tf.mul(toHeads(q), 1 / Math.sqrt(headDimension));
  const scores = tf.add(tf.matMul(scaledQ, keys, false, true), bias);
  const context = tf.matMul(tf.softmax(scores), values) as tf.Tensor4D;
  const merged = tf.reshape(time === 1 ? context : tf.transpose(context, [0, 2, 1, 3]), [
    batch * time,
    modelDimension,
  ]) as tf.Tensor2D;
  return { output: linear(merged, weights.outputWeight, weights.outputBias), keys, values };
}
