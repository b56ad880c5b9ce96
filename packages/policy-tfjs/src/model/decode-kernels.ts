import * as tf from "@tensorflow/tfjs";
import { DECODE_KERNELS_WASM } from "./decode-kernels-wasm.js";
import { type SingleQueryInputs, singleQueryAttention } from "./single-query-attention.js";
import { heapView, type WasmHeap, type WasmMemory, wasmHeap, webAssemblyApi } from "./wasm-heap.js";

/** The exports of decode-kernels.wat (byte offsets into the backend's memory). */
interface DecodeKernels {
  standardise(x: number, out: number, rows: number, width: number, epsilon: number): void;
  gelu(x: number, out: number, count: number, a: number, b: number): void;
  writeColumn(
    rows: number,
    stride: number,
    keysAt: number,
    valuesAt: number,
    keys: number,
    values: number,
    batch: number,
    heads: number,
    headDimension: number,
    capacity: number,
    column: number,
  ): void;
  scores(
    queries: number,
    queryStride: number,
    keys: number,
    bias: number,
    scores: number,
    batch: number,
    heads: number,
    headDimension: number,
    capacity: number,
    columns: number,
  ): void;
  context(
    weights: number,
    values: number,
    merged: number,
    batch: number,
    heads: number,
    headDimension: number,
    capacity: number,
    columns: number,
  ): void;
}

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
 * The kernels of `decode-kernels.wat` on the wasm backend's heap: the cache's column write and
 * {@link singleQueryAttention} with both products in 128-bit SIMD, reading queries and cache
 * where they lie. Attention's scratch space (bias, scores, merged heads) comes from the backend's
 * allocator once and grows when a call needs more.
 */
class HeapDecodeKernels {
  private scratch = 0;
  private scratchBytes = 0;

  constructor(
    private readonly heap: WasmHeap,
    private readonly kernels: DecodeKernels,
  ) {}

  /** True when every array is a view of this heap. */
  holds(...arrays: Float32Array[]): boolean {
    const buffer = this.heap.memory.buffer;
    return arrays.every((array) => array.buffer === buffer);
  }

  standardise(x: Float32Array, out: Float32Array, width: number, epsilon: number): void {
    this.kernels.standardise(x.byteOffset, out.byteOffset, x.length / width, width, epsilon);
  }

  gelu(x: Float32Array, out: Float32Array, a: number, b: number): void {
    this.kernels.gelu(x.byteOffset, out.byteOffset, x.length, a, b);
  }

  writeColumn(write: CacheColumnWrite): void {
    const { rows, stride, keysAt, valuesAt, keys, values } = write;
    this.kernels.writeColumn(
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
  }

  attend(inputs: SingleQueryInputs): Float32Array {
    const { batch, heads, headDimension, capacity, columns, queryStride } = inputs;
    // Offsets first: allocating scratch may grow the heap, which detaches the input views.
    const queries = inputs.queries.byteOffset;
    const keys = inputs.keys.byteOffset;
    const values = inputs.values.byteOffset;
    const d = heads * headDimension;
    const biasBytes = 4 * batch * columns;
    const scoreBytes = 4 * batch * heads * columns;
    const scratch = this.reserve(biasBytes + scoreBytes + 4 * batch * d);
    const bias = scratch;
    const scores = bias + biasBytes;
    const merged = scores + scoreBytes;
    new Float32Array(this.heap.memory.buffer, bias, batch * columns).set(inputs.bias.subarray(0, batch * columns));
    this.kernels.scores(queries, queryStride, keys, bias, scores, batch, heads, headDimension, capacity, columns);
    softmaxRows(new Float32Array(this.heap.memory.buffer, scores, batch * heads * columns), columns);
    this.kernels.context(scores, values, merged, batch, heads, headDimension, capacity, columns);
    return new Float32Array(this.heap.memory.buffer, merged, batch * d).slice();
  }

  private reserve(bytes: number): number {
    if (bytes > this.scratchBytes) {
      if (this.scratch !== 0) this.heap.release(this.scratch);
      this.scratchBytes = Math.max(bytes, 2 * this.scratchBytes);
      this.scratch = this.heap.allocate(this.scratchBytes);
    }
    return this.scratch;
  }
}

/** Each run of `columns` scores becomes its softmax, in place (float64 exp and sums, as on the host). */
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

/** One {@link HeapDecodeKernels} per wasm memory (one per backend instance); null where SIMD is missing. */
const heapKernels = new WeakMap<WasmMemory, HeapDecodeKernels | null>();

function heapDecodeKernels(): HeapDecodeKernels | undefined {
  const heap = wasmHeap();
  const api = webAssemblyApi();
  if (heap === undefined || api === undefined) return undefined;
  let kernels = heapKernels.get(heap.memory);
  if (kernels === undefined) {
    const bytes = Uint8Array.from(atob(DECODE_KERNELS_WASM), (character) => character.charCodeAt(0));
    // A runtime without wasm SIMD rejects the module; host loops then do the work.
    kernels = api.validate(bytes)
      ? new HeapDecodeKernels(
          heap,
          new api.Instance(new api.Module(bytes), { env: { memory: heap.memory } }).exports as DecodeKernels,
        )
      : null;
    heapKernels.set(heap.memory, kernels);
  }
  return kernels ?? undefined;
}

/**
 * Writes a cache column in the wasm kernel when the rows and cache are views of the wasm
 * backend's heap; returns false (nothing written) otherwise, for the caller's host loop.
 */
export function writeColumnOnHeap(write: CacheColumnWrite): boolean {
  const kernels = heapDecodeKernels();
  if (kernels === undefined || !kernels.holds(write.rows, write.keys, write.values)) return false;
  kernels.writeColumn(write);
  return true;
}

/**
 * Single-query attention over the KV cache (see {@link singleQueryAttention} for the inputs and
 * the result): in wasm SIMD when the queries and cache are views of the wasm backend's heap and
 * the runtime has SIMD, else in the host loop. The two agree within float32 rounding (the SIMD
 * products sum in float32, the host loop in float64).
 */
export function attendSingleQuery(inputs: SingleQueryInputs): Float32Array {
  const kernels = heapDecodeKernels();
  return kernels?.holds(inputs.queries, inputs.keys, inputs.values)
    ? kernels.attend(inputs)
    : singleQueryAttention(inputs);
}

/** The wasm backend's output allocation, as its kernels use it. */
interface OutputBackend {
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}

/** A kernel's attributes, with the length of its input's last axis as `width`. */
interface KernelAttributes {
  readonly width: number;
  readonly [name: string]: number;
}

/**
 * Runs `compute` from `x` into a new tensor of its shape as a tfjs kernel `kernelName` of the wasm
 * backend (registered on first use), so the engine tracks the output like any op's. `compute` is
 * registered once: it must read everything from its arguments, never from the first call's scope.
 * Undefined on other backends and runtimes without wasm SIMD.
 */
function shapePreservingKernel<T extends tf.Tensor>(
  kernelName: string,
  x: T,
  attrs: Record<string, number>,
  compute: (kernels: HeapDecodeKernels, input: Float32Array, output: Float32Array, attrs: KernelAttributes) => void,
): T | undefined {
  if (heapDecodeKernels() === undefined) return undefined;
  if (tf.getKernel(kernelName, "wasm") === undefined) {
    tf.registerKernel({
      kernelName,
      backendName: "wasm",
      kernelFunc: ({ inputs, backend, attrs: kernelAttrs }) => {
        const input = inputs.x as tf.TensorInfo;
        const output = (backend as unknown as OutputBackend).makeOutput([...input.shape], "float32");
        const kernels = heapDecodeKernels();
        const [inputView, outputView] = [heapView(input), heapView(output)];
        if (kernels === undefined || inputView === undefined || outputView === undefined)
          throw new Error(`${kernelName} runs on the wasm backend's heap only`);
        compute(kernels, inputView, outputView, {
          ...(kernelAttrs as Record<string, number>),
          width: input.shape.at(-1)!,
        });
        return output;
      },
    });
  }
  return tf.engine().runKernel(kernelName, { x }, attrs) as T;
}

/**
 * LayerNorm's standardisation without gain and shift, `(x - mean) / sqrt(var + epsilon)` over the
 * last axis, as one kernel on the wasm backend (tfjs's ops take six: mean, subtract, square, the
 * variance product, rsqrt, multiply; a decode step has one per LayerNorm). Its sums run in
 * order in float32, the arithmetic of tfjs's ops in the training pass, which it matches within
 * float32 rounding. Undefined off wasm.
 */
export function standardisedOnHeap<T extends tf.Tensor>(x: T, epsilon: number): T | undefined {
  return shapePreservingKernel("IbtpoStandardise", x, { epsilon }, (kernels, input, output, attrs) =>
    kernels.standardise(input, output, attrs.width, attrs.epsilon!),
  );
}

/**
 * GELU as `x * sigmoid(x (a + b x^2))` (see `gelu` in normalization.ts, which gives `a` and `b`)
 * as one kernel on the wasm backend instead of six, with e^t from a polynomial (relative error
 * below 1e-8 before rounding) where tfjs's sigmoid calls the C library. Undefined off wasm.
 */
export function geluOnHeap<T extends tf.Tensor>(x: T, a: number, b: number): T | undefined {
  return shapePreservingKernel("IbtpoGelu", x, { a, b }, (kernels, input, output, attrs) =>
    kernels.gelu(input, output, attrs.a!, attrs.b!),
  );
}
