import * as tf from "@tensorflow/tfjs";
import { HEAP_KERNEL_MODULES } from "./heap-kernels-wasm.js";
import {
  heapView,
  type WasmHeap,
  type WasmMemory,
  type WebAssemblyApi,
  wasmHeap,
  webAssemblyApi,
} from "./wasm-heap.js";

/**
 * The exports of heap-kernels.wat, optimizer-kernels.wat and exponential-kernels.wat. Every array argument is a byte offset
 * into the wasm backend's memory, which the modules import; see the .wat files for each kernel's
 * arithmetic.
 */
export interface KernelExports {
  sumOfSquares(x: number, count: number): number;
  adam(
    param: number,
    gradient: number,
    first: number,
    second: number,
    newParam: number,
    newFirst: number,
    newSecond: number,
    count: number,
    clipScale: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    stepSize: number,
    secondCorrection: number,
    epsilon: number,
    decay: number,
    decays: number,
  ): void;
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
  copyRuns(
    source: number,
    sourceStride: number,
    target: number,
    targetStride: number,
    runs: number,
    bytes: number,
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
    starts: number,
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
    starts: number,
  ): void;
  standardise(x: number, out: number, rows: number, width: number, epsilon: number): void;
  addStandardise(x: number, y: number, sum: number, out: number, rows: number, width: number, epsilon: number): void;
  layerNorm(
    x: number,
    gain: number,
    bias: number,
    out: number,
    normalised: number,
    inverse: number,
    rows: number,
    width: number,
    epsilon: number,
  ): void;
  layerNormGradient(
    dy: number,
    normalised: number,
    inverse: number,
    gain: number,
    dx: number,
    dgain: number,
    dbias: number,
    rows: number,
    width: number,
  ): void;
  gelu(x: number, out: number, count: number, a: number, b: number): void;
  geluWithGate(x: number, out: number, gate: number, count: number, a: number, b: number): void;
  geluGradient(x: number, gate: number, dy: number, dx: number, count: number, a: number, b: number): void;
  softmaxRows(scores: number, rows: number, columns: number, starts: number, heads: number): void;
  attendCausal(
    queries: number,
    keys: number,
    values: number,
    bias: number,
    merged: number,
    probabilities: number,
    stride: number,
    batch: number,
    time: number,
    heads: number,
    headDimension: number,
  ): void;
  attendCausalGradient(
    dMerged: number,
    queries: number,
    keys: number,
    values: number,
    probabilities: number,
    bias: number,
    dQueries: number,
    dKeys: number,
    dValues: number,
    scratch: number,
    stride: number,
    batch: number,
    time: number,
    heads: number,
    headDimension: number,
  ): void;
}

/** The kernel modules instantiated on one wasm backend's memory, with scratch space from its allocator. */
export class HeapKernels {
  private scratch = 0;
  private scratchBytes = 0;
  private wholeHeap: Float32Array | null = null;

  constructor(
    readonly heap: WasmHeap,
    readonly exports: KernelExports,
  ) {}

  /** True when every array is a view of this heap. */
  holds(...arrays: Float32Array[]): boolean {
    const buffer = this.heap.memory.buffer;
    return arrays.every((array) => array.buffer === buffer);
  }

  /**
   * The byte offset of `bytes` of scratch space, allocated once and grown when a call needs
   * more; valid until the next call. Allocating may grow the heap, which detaches views: take
   * the offsets of input views first.
   */
  reserve(bytes: number): number {
    if (bytes > this.scratchBytes) {
      if (this.scratch !== 0) this.heap.release(this.scratch);
      this.scratchBytes = Math.max(bytes, 2 * this.scratchBytes);
      this.scratch = this.heap.allocate(this.scratchBytes);
    }
    return this.scratch;
  }

  /** `length` floats at byte offset `at`, viewed in the heap as it is now. */
  floats(at: number, length: number): Float32Array {
    return new Float32Array(this.heap.memory.buffer, at, length);
  }

  /**
   * The whole heap as floats, as it is now: one view kept while the heap does not grow, for callers
   * that copy many small runs (a view per copy cost more than the copy).
   */
  allFloats(): Float32Array {
    const buffer = this.heap.memory.buffer;
    if (this.wholeHeap?.buffer !== buffer) this.wholeHeap = new Float32Array(buffer);
    return this.wholeHeap;
  }

  /** `length` int32s at byte offset `at`, viewed in the heap as it is now. */
  ints(at: number, length: number): Int32Array {
    return new Int32Array(this.heap.memory.buffer, at, length);
  }
}

/** One {@link HeapKernels} per wasm memory (one per backend instance); null where they cannot run. */
const kernelsByMemory = new WeakMap<WasmMemory, HeapKernels | null>();

/**
 * The kernel modules on the active backend, or undefined when it is not tfjs's wasm backend or they
 * cannot run there ({@link instantiateKernels}; the callers then take tfjs ops or host loops).
 */
export function heapKernels(): HeapKernels | undefined {
  // Looked up by every kernel call of a decode step: the last answer is kept per backend instance.
  const backend = tf.getBackend() === "wasm" ? tf.backend() : null;
  if (backend === null) return undefined;
  if (lastLookup?.backend !== backend) lastLookup = { backend, kernels: lookUpKernels() };
  return lastLookup.kernels;
}

/** The last {@link heapKernels} answer and the backend it was for. */
let lastLookup: { readonly backend: object; readonly kernels: HeapKernels | undefined } | null = null;

function lookUpKernels(): HeapKernels | undefined {
  const heap = wasmHeap();
  const api = webAssemblyApi();
  if (heap === undefined || api === undefined) return undefined;
  let kernels = kernelsByMemory.get(heap.memory);
  if (kernels === undefined) {
    const exports = instantiateKernels(heap.memory, api);
    kernels = exports === null ? null : new HeapKernels(heap, exports);
    kernelsByMemory.set(heap.memory, kernels);
  }
  return kernels ?? undefined;
}

/**
 * The kernel modules (heap-kernels.wat, optimizer-kernels.wat, exponential-kernels.wat) instantiated on `memory`, or null
 * where they cannot run there: a runtime without wasm SIMD rejects them, the threaded wasm
 * backend's shared memory does not match their (unshared) memory import, and browsers refuse
 * synchronous compiles of more than 4 KB on their main thread (each module is smaller; a test keeps
 * it so). Callers then take tfjs ops or host loops.
 */
export function instantiateKernels(memory: WasmMemory, api: WebAssemblyApi): KernelExports | null {
  const modules = HEAP_KERNEL_MODULES.map((base64) =>
    Uint8Array.from(atob(base64), (character) => character.charCodeAt(0)),
  );
  if (!modules.every((bytes) => api.validate(bytes))) return null;
  try {
    const exports = modules.map((bytes) => new api.Instance(new api.Module(bytes), { env: { memory } }).exports);
    return Object.assign({}, ...exports) as KernelExports;
  } catch {
    return null;
  }
}

/**
 * Which copy of this module registered the kernels: tfjs's kernel registry is global, and two
 * copies of the package in one process (two versions in one app, or a benchmark comparing
 * versions) must not run each other's kernels, whose inputs may differ.
 */
const PACKAGE_COPY = (() => {
  const registry = globalThis as { ibtpoHeapKernelCopies?: number };
  registry.ibtpoHeapKernelCopies = (registry.ibtpoHeapKernelCopies ?? 0) + 1;
  return registry.ibtpoHeapKernelCopies;
})();

/** Names of the heap kernels registered with tfjs. */
const registeredKernels = new Set<string>();

/** The wasm backend's output allocation, as its kernels use it. */
interface OutputBackend {
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}

/** What a {@link heapKernel}'s computation gets: its inputs' and outputs' heap views, and attributes. */
interface HeapKernelCall {
  readonly kernels: HeapKernels;
  readonly inputs: readonly Float32Array[];
  readonly inputShapes: readonly (readonly number[])[];
  readonly outputs: readonly Float32Array[];
  readonly attrs: Readonly<Record<string, number>>;
}

/** A tfjs kernel of the wasm backend computed by the kernel modules: see {@link heapKernel}. */
export interface HeapKernelSpec {
  readonly name: string;
  /** Output shapes from the input shapes and attributes. */
  outputShapes(inputShapes: readonly (readonly number[])[], attrs: Readonly<Record<string, number>>): number[][];
  /** Registered once: it must read everything from `call`, never from the first use's scope. */
  compute(call: HeapKernelCall): void;
}

/**
 * Runs `spec` on `inputs` as a tfjs kernel of the wasm backend (registered on first use), so that
 * the engine tracks its outputs like any op's. Undefined on other backends and runtimes without
 * wasm SIMD.
 */
export function heapKernel(
  spec: HeapKernelSpec,
  inputs: readonly tf.Tensor[],
  attrs: Record<string, number>,
): tf.Tensor[] | undefined {
  if (heapKernels() === undefined) return undefined;
  const kernelName = `${spec.name}#${PACKAGE_COPY}`;
  // Known here once registered (tfjs's registry is never emptied), not looked up every call.
  if (!registeredKernels.has(kernelName) && tf.getKernel(kernelName, "wasm") === undefined) {
    tf.registerKernel({
      kernelName,
      backendName: "wasm",
      kernelFunc: ({ inputs: named, backend, attrs: kernelAttrs }) => {
        // Inputs are named by their index.
        const inputInfos = Array.from(
          { length: Object.keys(named).length },
          (_, index) => named[index] as tf.TensorInfo,
        );
        const inputShapes = inputInfos.map((info) => info.shape);
        const attrs = (kernelAttrs ?? {}) as Record<string, number>;
        const outputs = spec
          .outputShapes(inputShapes, attrs)
          .map((shape) => (backend as unknown as OutputBackend).makeOutput(shape, "float32"));
        // Views after allocating the outputs, which may grow the heap.
        const kernels = heapKernels();
        const inputViews = inputInfos.map(heapView);
        const outputViews = outputs.map(heapView);
        if (kernels === undefined || [...inputViews, ...outputViews].some((view) => view === undefined))
          throw new Error(`${kernelName} runs on the wasm backend's heap only`);
        spec.compute({
          kernels,
          inputs: inputViews as Float32Array[],
          inputShapes,
          outputs: outputViews as Float32Array[],
          attrs,
        });
        return outputs;
      },
    });
  }
  registeredKernels.add(kernelName);
  const named = Object.fromEntries(inputs.map((tensor, index) => [String(index), tensor]));
  const result = tf.engine().runKernel(kernelName, named, attrs);
  return Array.isArray(result) ? result : [result];
}
