import type * as tf from "@tensorflow/tfjs";
import { type HeapKernelSpec, heapKernel } from "./heap-kernels.js";

const width = (shape: readonly number[]) => shape[shape.length - 1]!;
const size = (shape: readonly number[]) => shape.reduce((product, length) => product * length, 1);
const rowCount = (shape: readonly number[]) => size(shape) / width(shape);
/** The GELU kernels run four lanes at a time with no tail: a size that is not a multiple of 4 takes tfjs's ops. */
const inFours = (x: tf.Tensor) => x.size % 4 === 0;

const STANDARDISE = {
  name: "IbtpoStandardise",
  outputShapes: ([x]) => [[...x!]],
  compute: ({ kernels, inputs: [x], inputShapes: [shape], outputs: [out], attrs }) =>
    kernels.exports.standardise(x!.byteOffset, out!.byteOffset, rowCount(shape!), width(shape!), attrs.epsilon!),
} satisfies HeapKernelSpec;

/**
 * LayerNorm's standardisation without gain and shift, `(x - mean) / sqrt(var + epsilon)` over the
 * last axis, as one kernel on the wasm backend (tfjs's ops take six: mean, subtract, square, the
 * variance product, rsqrt, multiply; a decode step has one per LayerNorm). Its sums run in
 * order in float32, the arithmetic of tfjs's ops, which it matches within float32 rounding.
 * Undefined off wasm.
 */
export function standardisedOnHeap<T extends tf.Tensor>(x: T, epsilon: number): T | undefined {
  return heapKernel(STANDARDISE, [x], { epsilon })?.[0] as T | undefined;
}

const ADD_STANDARDISE = {
  name: "IbtpoAddStandardise",
  outputShapes: ([x]) => [[...x!], [...x!]],
  compute: ({ kernels, inputs: [x, y], inputShapes: [shape], outputs: [sum, out], attrs }) =>
    kernels.exports.addStandardise(
      x!.byteOffset,
      y!.byteOffset,
      sum!.byteOffset,
      out!.byteOffset,
      rowCount(shape!),
      width(shape!),
      attrs.epsilon!,
    ),
} satisfies HeapKernelSpec;

/**
 * A residual connection and the LayerNorm standardisation after it, `sum = x + y` and
 * {@link standardisedOnHeap}`(sum)`, as one kernel on the wasm backend (the same arithmetic as
 * `tf.add` and that kernel). Undefined off wasm.
 */
export function addStandardisedOnHeap<T extends tf.Tensor>(
  x: T,
  y: T,
  epsilon: number,
): { sum: T; standardised: T } | undefined {
  const outputs = heapKernel(ADD_STANDARDISE, [x, y], { epsilon });
  return outputs === undefined ? undefined : { sum: outputs[0] as T, standardised: outputs[1] as T };
}

const LAYER_NORM = {
  name: "IbtpoLayerNorm",
  outputShapes: ([x]) => [[...x!], [...x!], [rowCount(x!), 1]],
  compute: ({ kernels, inputs: [x, gain, bias], inputShapes: [shape], outputs: [out, normalised, inverse], attrs }) =>
    kernels.exports.layerNorm(
      x!.byteOffset,
      gain!.byteOffset,
      bias!.byteOffset,
      out!.byteOffset,
      normalised!.byteOffset,
      inverse!.byteOffset,
      rowCount(shape!),
      width(shape!),
      attrs.epsilon!,
    ),
} satisfies HeapKernelSpec;

/** LayerNorm's outputs for the training pass: the value and what its gradient needs. */
export interface LayerNormOnHeap {
  readonly value: tf.Tensor2D;
  readonly normalised: tf.Tensor2D;
  /** `1 / sqrt(var + epsilon)` per row, `[rows, 1]`. */
  readonly inverseDeviation: tf.Tensor2D;
}

/**
 * LayerNorm of rows `[n, d]` with gain and shift as one kernel on the wasm backend (tfjs's ops
 * take nine), also giving the standardised rows and inverse deviations the gradient reuses
 * (`standardise` in normalization.ts, the same arithmetic). Undefined off wasm.
 */
export function layerNormOnHeap(
  x: tf.Tensor2D,
  gain: tf.Tensor1D,
  bias: tf.Tensor1D,
  epsilon: number,
): LayerNormOnHeap | undefined {
  const outputs = heapKernel(LAYER_NORM, [x, gain, bias], { epsilon }) as tf.Tensor2D[] | undefined;
  if (outputs === undefined) return undefined;
  const [value, normalised, inverseDeviation] = outputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  return { value, normalised, inverseDeviation };
}

const LAYER_NORM_GRADIENT = {
  name: "IbtpoLayerNormGradient",
  outputShapes: ([dy]) => [[...dy!], [width(dy!)], [width(dy!)]],
  compute: ({ kernels, inputs: [dy, normalised, inverse, gain], inputShapes: [shape], outputs: [dx, dgain, dbias] }) =>
    kernels.exports.layerNormGradient(
      dy!.byteOffset,
      normalised!.byteOffset,
      inverse!.byteOffset,
      gain!.byteOffset,
      dx!.byteOffset,
      dgain!.byteOffset,
      dbias!.byteOffset,
      rowCount(shape!),
      width(shape!),
    ),
} satisfies HeapKernelSpec;

/**
 * LayerNorm's gradients `[dx, dgain, dbias]` from `dy` and the forward's saved standardised rows,
 * inverse deviations and gain, as one kernel on the wasm backend (the closed form of
 * normalization.ts; the column sums over rows in order). Undefined off wasm.
 */
export function layerNormGradientOnHeap(
  dy: tf.Tensor2D,
  normalised: tf.Tensor2D,
  inverseDeviation: tf.Tensor2D,
  gain: tf.Tensor1D,
): [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D] | undefined {
  return heapKernel(LAYER_NORM_GRADIENT, [dy, normalised, inverseDeviation, gain], {}) as
    | [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D]
    | undefined;
}

const GELU = {
  name: "IbtpoGelu",
  outputShapes: ([x]) => [[...x!]],
  compute: ({ kernels, inputs: [x], inputShapes: [shape], outputs: [out], attrs }) =>
    kernels.exports.gelu(x!.byteOffset, out!.byteOffset, size(shape!), attrs.a!, attrs.b!),
} satisfies HeapKernelSpec;

/**
 * GELU as `x * sigmoid(x (a + b x^2))` (see `gelu` in normalization.ts, which gives `a` and `b`)
 * as one kernel on the wasm backend instead of six, with e^t from a polynomial (relative error
 * below 1e-8 before rounding) where tfjs's sigmoid calls the C library. Undefined off wasm and
 * when the size is not a multiple of 4.
 */
export function geluOnHeap<T extends tf.Tensor>(x: T, a: number, b: number): T | undefined {
  if (!inFours(x)) return undefined;
  return heapKernel(GELU, [x], { a, b })?.[0] as T | undefined;
}

const GELU_WITH_GATE = {
  name: "IbtpoGeluWithGate",
  outputShapes: ([x]) => [[...x!], [...x!]],
  compute: ({ kernels, inputs: [x], inputShapes: [shape], outputs: [out, gate], attrs }) =>
    kernels.exports.geluWithGate(x!.byteOffset, out!.byteOffset, gate!.byteOffset, size(shape!), attrs.a!, attrs.b!),
} satisfies HeapKernelSpec;

/**
 * {@link geluOnHeap} for the training pass: the value and the gate `sigmoid(x (a + b x^2))`, which
 * its gradient reuses (no exponential there). Undefined off wasm.
 */
export function geluWithGateOnHeap<T extends tf.Tensor>(x: T, a: number, b: number): { value: T; gate: T } | undefined {
  if (!inFours(x)) return undefined;
  const outputs = heapKernel(GELU_WITH_GATE, [x], { a, b });
  return outputs === undefined ? undefined : { value: outputs[0] as T, gate: outputs[1] as T };
}

const GELU_GRADIENT = {
  name: "IbtpoGeluGradient",
  outputShapes: ([x]) => [[...x!]],
  compute: ({ kernels, inputs: [x, gate, dy], inputShapes: [shape], outputs: [dx], attrs }) =>
    kernels.exports.geluGradient(
      x!.byteOffset,
      gate!.byteOffset,
      dy!.byteOffset,
      dx!.byteOffset,
      size(shape!),
      attrs.a!,
      attrs.b!,
    ),
} satisfies HeapKernelSpec;

/**
 * GELU's `dx = dy * (s + x s (1 - s) (a + 3 b x^2))` from `x` and the forward's gate `s` (the
 * slope of normalization.ts) as one kernel on the wasm backend. Undefined off wasm.
 */
export function geluGradientOnHeap<T extends tf.Tensor>(x: T, gate: T, dy: T, a: number, b: number): T | undefined {
  if (!inFours(x)) return undefined;
  return heapKernel(GELU_GRADIENT, [x, gate, dy], { a, b })?.[0] as T | undefined;
}
