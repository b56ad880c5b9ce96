import * as tf from "@tensorflow/tfjs";
import { constantScalar, constantTensor } from "./constant-tensor.js";
import { customGradient, type Saver, sumRows } from "./custom-gradient.js";
import { recordingGradients } from "./gradient-mode.js";
import {
  addStandardisedOnHeap,
  geluGradientOnHeap,
  geluOnHeap,
  geluWithGateOnHeap,
  layerNormGradientOnHeap,
  layerNormOnHeap,
  standardisedOnHeap,
} from "./heap-normalization.js";
import { fusedAffine } from "./linear.js";

/**
 * LayerNorm over the last axis of rows `[n, d]`: `(x - mean) / sqrt(var + epsilon) * gain + bias`.
 * Its gradient is written out (the standard closed form), which takes about half the kernels of
 * differentiating the forward ops one by one; kernel count is what a small model pays for on wasm.
 */
export function layerNorm(x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D, epsilon: number): tf.Tensor2D {
  if (recordingGradients()) return layerNormWithGradient(epsilon)(x, gain, bias);
  return tf.add(tf.mul(standardise(x, epsilon).normalised, gain), bias);
}

/**
 * LayerNorm without its gain and shift on rows `[1, n, d]`, for passes without gradients whose
 * next product has them folded in (`foldLayer`): on wasm one kernel of our own
 * ({@link standardisedOnHeap}); elsewhere tfjs ops, the variance plus epsilon as one fused
 * product, `squares @ (1/d) + epsilon`, one kernel instead of a mean and an add.
 */
export function standardised(x: tf.Tensor3D, epsilon: number): tf.Tensor3D {
  const onHeap = standardisedOnHeap(x, epsilon);
  if (onHeap !== undefined) return onHeap;
  const d = x.shape[2];
  const centred = tf.sub(x, tf.mean(x, -1, true));
  const meanColumn = constantTensor(`mean column ${d}`, () => tf.fill([1, d, 1], 1 / d) as tf.Tensor3D);
  const epsilonBias = constantTensor(`epsilon ${epsilon}`, () => tf.tensor1d([epsilon]));
  const variance = fusedAffine(tf.square(centred) as tf.Tensor3D, meanColumn, epsilonBias);
  return tf.mul(centred, tf.rsqrt(variance));
}

/**
 * A residual connection `x + y` `[1, n, d]` and {@link standardised} of the sum, for passes
 * without gradients: one kernel on wasm ({@link addStandardisedOnHeap}), tfjs ops elsewhere.
 */
export function addStandardised(
  x: tf.Tensor3D,
  y: tf.Tensor3D,
  epsilon: number,
): { sum: tf.Tensor3D; standardised: tf.Tensor3D } {
  const onHeap = addStandardisedOnHeap(x, y, epsilon);
  if (onHeap !== undefined) return onHeap;
  const sum = tf.add(x, y) as tf.Tensor3D;
  return { sum, standardised: standardised(sum, epsilon) };
}

/** `(x - mean) / sqrt(var + epsilon)` per row, and the inverse deviation the gradient reuses. */
function standardise(x: tf.Tensor2D, epsilon: number): { normalised: tf.Tensor2D; inverseDeviation: tf.Tensor2D } {
  const centred = tf.sub(x, tf.mean(x, -1, true));
  const inverseDeviation = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), epsilon)) as tf.Tensor2D;
  return { normalised: tf.mul(centred, inverseDeviation), inverseDeviation };
}

const layerNormByEpsilon = new Map<number, (x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D) => tf.Tensor2D>();

function layerNormWithGradient(epsilon: number) {
  let normalise = layerNormByEpsilon.get(epsilon);
  if (normalise === undefined) {
    normalise = customGradient((x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D, save: Saver) => {
      // On wasm one kernel each way (the same closed form); elsewhere tfjs ops.
      const onHeap = layerNormOnHeap(x, gain, bias, epsilon);
      if (onHeap !== undefined) {
        save([onHeap.normalised, onHeap.inverseDeviation, gain]);
        return {
          value: onHeap.value,
          gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
            const [savedNormalised, savedInverse, savedGain] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
            return layerNormGradientOnHeap(dy, savedNormalised, savedInverse, savedGain)!;
          },
        };
      }
      const { normalised, inverseDeviation } = standardise(x, epsilon);
      save([normalised, inverseDeviation, gain]);
      return {
        value: tf.add(tf.mul(normalised, gain), bias),
        gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
          const [savedNormalised, savedInverse, savedGain] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
          const dNormalised = tf.mul(dy, savedGain);
          const dx = tf.mul(
            savedInverse,
            tf.sub(
              tf.sub(dNormalised, tf.mean(dNormalised, -1, true)),
              tf.mul(savedNormalised, tf.mean(tf.mul(dNormalised, savedNormalised), -1, true)),
            ),
          );
          return [dx, sumRows(tf.mul(dy, savedNormalised)), sumRows(dy)];
        },
      };
    });
    layerNormByEpsilon.set(epsilon, normalise);
  }
  return normalise;
}

// 0.5 (1 + tanh(u)) = sigmoid(2u), and sigmoid is several times cheaper than tanh or pow on wasm.
const SIGMOID_SCALE = 2 * Math.sqrt(2 / Math.PI);
const CUBIC = SIGMOID_SCALE * 0.044715;

/**
 * GELU, tanh approximation (as in GPT-2): `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`,
 * computed as `x * sigmoid(z)` with `z = x (a + b x^2)`, `a = 2 sqrt(2/pi)`, `b = a * 0.044715`;
 * gradient `s + x s (1 - s) (a + 3 b x^2)` with `s = sigmoid(z)`.
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  const rows = x as tf.Tensor as tf.Tensor2D;
  if (recordingGradients()) return geluWithGradient(rows) as tf.Tensor as T;
  return geluOnHeap(x, SIGMOID_SCALE, CUBIC) ?? (tf.mul(rows, geluGate(rows, tf.square(rows))) as tf.Tensor as T);
}

/** `sigmoid(x (a + b x^2))`, given `x^2`. */
function geluGate(x: tf.Tensor2D, squared: tf.Tensor2D): tf.Tensor2D {
  return tf.sigmoid(
    tf.mul(x, tf.add(tf.mul(squared, constantScalar(CUBIC)), constantScalar(SIGMOID_SCALE))),
  ) as tf.Tensor2D;
}

// Saves x and the gate only: each saved tensor is copied, and x^2 costs about the same to recompute.
const geluWithGradient = customGradient((x: tf.Tensor2D, save: Saver) => {
  // On wasm one kernel each way; the forward also gives the gate, so the gradient needs no exponential.
  const onHeap = geluWithGateOnHeap(x, SIGMOID_SCALE, CUBIC);
  if (onHeap !== undefined) {
    save([x, onHeap.gate]);
    return {
      value: onHeap.value,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [savedX, savedGate] = saved as [tf.Tensor2D, tf.Tensor2D];
        return geluGradientOnHeap(savedX, savedGate, dy, SIGMOID_SCALE, CUBIC)!;
      },
    };
  }
  const gate = geluGate(x, tf.square(x));
  save([x, gate]);
  return {
    value: tf.mul(x, gate),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [savedX, savedGate] = saved as [tf.Tensor2D, tf.Tensor2D];
      const slope = tf.add(tf.mul(tf.square(savedX), 3 * CUBIC), SIGMOID_SCALE);
      const gateDerivative = tf.mul(savedGate, tf.sub(1, savedGate));
      return tf.mul(dy, tf.add(savedGate, tf.mul(tf.mul(savedX, gateDerivative), slope)));
    },
  };
});
