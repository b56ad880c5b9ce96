import type * as tf from "@tensorflow/tfjs";
import { type HeapKernelSpec, heapKernel, heapKernels } from "../model/heap-kernels.js";
import { heapView } from "../model/wasm-heap.js";

/** One Adam(W) step's constants, as PolicyOptimizer computes them. */
export interface AdamConstants {
  /** The global-norm clipping factor (1 when the norm is within the limit). */
  readonly clipScale: number;
  readonly beta1: number;
  readonly beta2: number;
  /** learningRate / (1 - beta1^t). */
  readonly stepSize: number;
  /** 1 - beta2^t. */
  readonly secondCorrection: number;
  readonly epsilon: number;
  /** learningRate * weightDecay, applied when `decays`. */
  readonly decay: number;
  readonly decays: boolean;
}

const ADAM = {
  name: "IbtpoAdam",
  outputShapes: ([param]) => [[...param!], [...param!], [...param!]],
  compute: ({ kernels, inputs: [param, gradient, first, second], outputs: [newParam, newFirst, newSecond], attrs }) =>
    kernels.exports.adam(
      param!.byteOffset,
      gradient!.byteOffset,
      first!.byteOffset,
      second!.byteOffset,
      newParam!.byteOffset,
      newFirst!.byteOffset,
      newSecond!.byteOffset,
      param!.length,
      attrs.clipScale!,
      attrs.beta1!,
      attrs.oneMinusBeta1!,
      attrs.beta2!,
      attrs.oneMinusBeta2!,
      attrs.stepSize!,
      attrs.secondCorrection!,
      attrs.epsilon!,
      attrs.decay!,
      attrs.decays!,
    ),
} satisfies HeapKernelSpec;

/**
 * One variable's Adam(W) update as one kernel on the wasm backend (optimizer-kernels.wat): the new
 * weights and moments, from the operations of PolicyOptimizer's tfjs ops in the same order and
 * float32 rounding, so the same numbers bit for bit, where those ops take about fourteen kernels
 * and eight scalar uploads per variable. Undefined off wasm.
 */
export function adamOnHeap(
  param: tf.Tensor,
  gradient: tf.Tensor,
  first: tf.Tensor,
  second: tf.Tensor,
  constants: AdamConstants,
): { param: tf.Tensor; first: tf.Tensor; second: tf.Tensor } | undefined {
  const outputs = heapKernel(ADAM, [param, gradient, first, second], {
    ...constants,
    // The ops path multiplies by 1 - beta as a JavaScript number, rounded to float32 by tfjs.
    oneMinusBeta1: 1 - constants.beta1,
    oneMinusBeta2: 1 - constants.beta2,
    decays: constants.decays ? 1 : 0,
  });
  if (outputs === undefined) return undefined;
  const [newParam, newFirst, newSecond] = outputs as [tf.Tensor, tf.Tensor, tf.Tensor];
  return { param: newParam, first: newFirst, second: newSecond };
}

/**
 * The gradients' global L2 norm, `sqrt(sum over tensors of sum(g^2))`, with the arithmetic of
 * PolicyOptimizer's tfjs ops (each tensor's squares summed in order in float32, the sums added in
 * order, a float32 square root) but with no kernel: the sums run in optimizer-kernels.wat on the
 * tensors where they lie. Undefined off wasm.
 */
export function gradientNormOnHeap(gradients: readonly tf.Tensor[]): number | undefined {
  const kernels = heapKernels();
  if (kernels === undefined) return undefined;
  let total = 0;
  for (const gradient of gradients) {
    const view = heapView(gradient);
    if (view === undefined || !kernels.holds(view)) return undefined;
    total = Math.fround(total + kernels.exports.sumOfSquares(view.byteOffset, view.length));
  }
  return Math.fround(Math.sqrt(total));
}
