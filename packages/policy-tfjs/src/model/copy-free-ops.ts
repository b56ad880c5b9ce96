import * as tf from "@tensorflow/tfjs";
import { customGradient, type Saver } from "./custom-gradient.js";
import { recordingGradients } from "./gradient-mode.js";

/*
 * Ops whose gradients keep fewer tensors than tfjs's own. On a gradient tape tfjs keeps a copy of
 * every tensor a gradient may read, and on wasm that copy is a full copy of the data: Reshape's
 * gradient keeps its input only to read its shape, Add's keeps both inputs for their shapes, and
 * a bias add followed by a softmax keeps three tensors where the softmax's output alone is enough.
 * Outside a tape these are the plain ops.
 */

/** `tf.reshape` whose gradient reshapes back from the shape alone. */
export function reshape<T extends tf.Tensor>(x: tf.Tensor, shape: number[]): T {
  if (!recordingGradients()) return tf.reshape(x, shape) as T;
  const inputShape = x.shape;
  const reshapeBack = customGradient((input: tf.Tensor, _save: Saver) => ({
    value: tf.reshape(input, shape),
    gradFunc: (dy: tf.Tensor) => tf.reshape(dy, inputShape),
  }));
  return reshapeBack(x) as T;
}

/** `a + b` for tensors of one shape (a residual connection): each gradient is `dy`. */
export function addSameShape<T extends tf.Tensor>(a: T, b: T): T {
  return (recordingGradients() ? addWithoutSaving(a, b) : tf.add(a, b)) as T;
}

const addWithoutSaving = customGradient((a: tf.Tensor, b: tf.Tensor, _save: Saver) => ({
  value: tf.add(a, b),
  gradFunc: (dy: tf.Tensor) => [dy, dy],
}));

/**
 * `softmax(scores + bias)` over the last axis, for a constant additive `bias` (a mask; no gradient
 * flows to it). The gradient keeps the probabilities only: `p * (dy - sum(dy * p))`.
 */
export function maskedSoftmax<T extends tf.Tensor>(scores: T, bias: tf.Tensor): T {
  if (!recordingGradients()) return tf.softmax(tf.add(scores, bias)) as T;
  const softmaxWithGradient = customGradient((input: tf.Tensor, save: Saver) => {
    const probabilities = tf.softmax(tf.add(input, bias));
    save([probabilities]);
    return {
      value: probabilities,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedProbabilities] = saved as [tf.Tensor];
        const weighted = tf.mul(dy, savedProbabilities);
        return tf.sub(weighted, tf.mul(tf.sum(weighted, -1, true), savedProbabilities));
      },
    };
  });
  return softmaxWithGradient(scores) as T;
}
