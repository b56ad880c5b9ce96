import type * as tf from "@tensorflow/tfjs";
import { customGradient, type Saver } from "./custom-gradient.js";
import { recordingGradients } from "./gradient-mode.js";
import { type HeapKernelSpec, heapKernel, heapKernels } from "./heap-kernels.js";

/** Floats per row of the probabilities: time rounded up to the kernel's four lanes. */
const probabilityStride = (time: number) => Math.ceil(time / 4) * 4;

/** `[rows, d]` and the bias `[time, batch, 1, time]` (the last input of both kernels): batch and time come from the bias. */
const dimensions = (rows: readonly number[], bias: readonly number[], heads: number) => ({
  batch: bias[1]!,
  time: bias[0]!,
  d: rows[1]!,
  headDimension: rows[1]! / heads,
});

const ATTEND_CAUSAL = {
  name: "IbtpoAttendCausal",
  outputShapes: ([queries, , , bias], { heads }) => {
    const { batch, time } = dimensions(queries!, bias!, heads!);
    return [[...queries!], [batch * heads! * time, probabilityStride(time)]];
  },
  compute: ({
    kernels,
    inputs: [queries, keys, values, bias],
    inputShapes,
    outputs: [merged, probabilities],
    attrs,
  }) => {
    const { batch, time, headDimension } = dimensions(inputShapes[0]!, inputShapes[3]!, attrs.heads!);
    kernels.exports.attendCausal(
      queries!.byteOffset,
      keys!.byteOffset,
      values!.byteOffset,
      bias!.byteOffset,
      merged!.byteOffset,
      probabilities!.byteOffset,
      probabilityStride(time),
      batch,
      time,
      attrs.heads!,
      headDimension,
    );
  },
} satisfies HeapKernelSpec;

const ATTEND_CAUSAL_GRADIENT = {
  name: "IbtpoAttendCausalGradient",
  outputShapes: ([dMerged]) => [[...dMerged!], [...dMerged!], [...dMerged!]],
  compute: ({ kernels, inputs, inputShapes, outputs, attrs }) => {
    const { batch, time, headDimension } = dimensions(inputShapes[0]!, inputShapes[5]!, attrs.heads!);
    // Offsets before reserving the scratch row, which may grow the heap and detach the views.
    const [dMerged, queries, keys, values, probabilities, bias] = inputs.map((view) => view.byteOffset);
    const [dQueries, dKeys, dValues] = outputs.map((view) => view.byteOffset);
    const scratch = kernels.reserve(4 * probabilityStride(time));
    kernels.exports.attendCausalGradient(
      dMerged!,
      queries!,
      keys!,
      values!,
      probabilities!,
      bias!,
      dQueries!,
      dKeys!,
      dValues!,
      scratch,
      probabilityStride(time),
      batch,
      time,
      attrs.heads!,
      headDimension,
    );
  },
} satisfies HeapKernelSpec;

/**
 * Causal attention of every column over the earlier columns of its own row as one kernel on the
 * wasm backend, forward and gradient (exponential-kernels.wat): `queries` (scaled), `keys`,
 * `values` `[batch * time, d]` are read where they lie, so the transposes and the depthwise
 * products of the ops path, and the half of their work past each query, fall away. `biasByQuery`
 * `[time, batch, 1, time]` must hide every key after its query (`MASKED_SCORE`, as the model's
 * causal mask does): the kernel skips those keys, whose weight is 0, unless the query's own column
 * is hidden too (left padding), where it takes the whole row as the ops path does.
 * Undefined off wasm, without the kernel modules, or when `d / heads` is not a multiple of 4.
 */
export function attendCausalOnHeap(
  queries: tf.Tensor2D,
  keys: tf.Tensor2D,
  values: tf.Tensor2D,
  biasByQuery: tf.Tensor4D,
  heads: number,
): tf.Tensor2D | undefined {
  if (heapKernels() === undefined || (queries.shape[1] / heads) % 4 !== 0) return undefined;
  const forward = (q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D) =>
    heapKernel(ATTEND_CAUSAL, [q, k, v, biasByQuery], { heads }) as [tf.Tensor2D, tf.Tensor2D];
  if (!recordingGradients()) {
    const [merged, probabilities] = forward(queries, keys, values);
    probabilities.dispose();
    return merged;
  }
  const withGradient = customGradient((q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, save: Saver) => {
    const [merged, probabilities] = forward(q, k, v);
    // The bias too: the forward's scope may free it before the backward pass runs.
    save([q, k, v, probabilities, biasByQuery]);
    return {
      value: merged,
      gradFunc: (dMerged: tf.Tensor2D, saved: tf.Tensor[]) =>
        heapKernel(ATTEND_CAUSAL_GRADIENT, [dMerged, ...saved], { heads }) as tf.Tensor2D[],
    };
  });
  return withGradient(queries, keys, values);
}
