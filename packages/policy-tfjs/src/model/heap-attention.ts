import { MASKED_SCORE } from "./batch-layout.js";
import { type HeapKernels, heapKernels } from "./heap-kernels.js";
import { type SingleQueryInputs, singleQueryAttention } from "./single-query-attention.js";

/** One decode step's cache column, as {@link KeyValueCache.writeColumnFrom} takes it. */
export interface CacheColumnWrite {
  /** Rows of the step, as in `ColumnLayout`: keys at `rows[b * stride + keysAt + i]`. */
  readonly rows: Float32Array;
  readonly stride: number;
  readonly keysAt: number;
  readonly valuesAt: number;
  /** The cache's keys `[batch, heads, headDimension, capacity]` and values `[batch, heads, capacity, headDimension]`. */
  readonly keys: Float32Array;
  readonly values: Float32Array;
  readonly batch: number;
  readonly heads: number;
  readonly headDimension: number;
  readonly capacity: number;
  readonly column: number;
}

/**
 * Writes a cache column with heap-kernels.wat when the rows and cache are views of the wasm
 * backend's heap; returns false (nothing written) otherwise, for the caller's host loop.
 */
export function writeColumnOnHeap(write: CacheColumnWrite): boolean {
  const kernels = heapKernels();
  if (kernels === undefined || !kernels.holds(write.rows, write.keys, write.values)) return false;
  const { rows, stride, keysAt, valuesAt, keys, values } = write;
  kernels.exports.writeColumn(
    rows.byteOffset,
    stride,
    keysAt,
    valuesAt,
    keys.byteOffset,
    values.byteOffset,
    write.batch,
    write.heads,
    write.headDimension,
    write.capacity,
    write.column,
  );
  return true;
}

/**
 * Single-query attention over the KV cache (see {@link singleQueryAttention} for the inputs and
 * the result): both products in heap-kernels.wat's 128-bit SIMD and the softmax between them in
 * exponential-kernels.wat's when the queries and cache are views of the wasm backend's heap and
 * the runtime has SIMD, else the host loop. The two agree within float32 rounding (the SIMD path
 * sums in float32, the host loop in float64).
 */
export function attendSingleQuery(inputs: SingleQueryInputs): Float32Array {
  const kernels = heapKernels();
  return kernels?.holds(inputs.queries, inputs.keys, inputs.values)
    ? attendOnHeap(kernels, inputs)
    : singleQueryAttention(inputs);
}

function attendOnHeap(kernels: HeapKernels, inputs: SingleQueryInputs): Float32Array {
  const { batch, heads, headDimension, capacity, columns, queryStride } = inputs;
  // Offsets first: reserving scratch may grow the heap, which detaches the input views.
  const queries = inputs.queries.byteOffset;
  const keys = inputs.keys.byteOffset;
  const values = inputs.values.byteOffset;
  const d = heads * headDimension;
  const biasBytes = 4 * batch * columns;
  const scoreBytes = 4 * batch * heads * columns;
  const mergedBytes = 4 * batch * d;
  const bias = kernels.reserve(biasBytes + scoreBytes + mergedBytes + 4 * batch);
  const scores = bias + biasBytes;
  const merged = scores + scoreBytes;
  const starts = merged + mergedBytes;
  kernels.floats(bias, batch * columns).set(inputs.bias.subarray(0, batch * columns));
  firstColumns(inputs.bias, batch, columns, kernels.ints(starts, batch));
  kernels.exports.scores(
    queries,
    queryStride,
    keys,
    bias,
    scores,
    batch,
    heads,
    headDimension,
    capacity,
    columns,
    starts,
  );
  if (columns >= 4) kernels.exports.softmaxRows(scores, batch * heads, columns, starts, heads);
  else softmaxRows(kernels.floats(scores, batch * heads * columns), columns);
  kernels.exports.context(scores, values, merged, batch, heads, headDimension, capacity, columns, starts);
  return kernels.floats(merged, batch * d).slice();
}

/**
 * Where each row's attention starts: after its leading masked columns (its left padding), which
 * the kernels skip. Their weights were at most e^-87 of the total (the bias is -1e9 and e^x
 * clamps there), below float32 rounding of any sum they entered, so the results are the same; a
 * running batch is as wide as its longest row, and the others' padding was much of their
 * attention. At least the last four columns stay (the kernels' softmax works in four lanes), and
 * every column when there are fewer (the host softmax then takes the whole run).
 */
function firstColumns(bias: Float32Array, batch: number, columns: number, starts: Int32Array): void {
  for (let row = 0; row < batch; row++) {
    let first = 0;
    while (first < columns - 4 && bias[row * columns + first]! <= MASKED_SCORE) first++;
    starts[row] = first;
  }
}

/**
 * Each run of `columns` scores becomes its softmax, in place (float64 exp and sums, as on the
 * host): for runs shorter than the four lanes that exponential-kernels.wat's `softmaxRows` needs.
 */
function softmaxRows(scores: Float32Array, columns: number): void {
  for (let start = 0; start < scores.length; start += columns) {
    const end = start + columns;
    let largest = Number.NEGATIVE_INFINITY;
    for (let index = start; index < end; index++) if (scores[index]! > largest) largest = scores[index]!;
    let total = 0;
    for (let index = start; index < end; index++) {
      const weight = Math.exp(scores[index]! - largest);
      scores[index] = weight;
      total += weight;
    }
    const inverseTotal = 1 / total;
    for (let index = start; index < end; index++) scores[index]! *= inverseTotal;
  }
}
