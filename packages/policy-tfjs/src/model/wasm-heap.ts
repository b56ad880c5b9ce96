import * as tf from "@tensorflow/tfjs";

/** A WebAssembly memory, as far as used here (the packages compile without the DOM library's types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** The global WebAssembly API, as far as used here. */
export interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

/** The runtime's WebAssembly API, or undefined where there is none. */
export function webAssemblyApi(): WebAssemblyApi | undefined {
  return (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
}

/** What the wasm backend exposes of its Emscripten module: its memory and allocator. */
interface WasmModule {
  readonly asm?: { readonly memory?: WasmMemory };
  _malloc?(bytes: number): number;
  _free?(pointer: number): void;
}

/** The wasm backend's view of its heap; absent on other backends. */
interface HeapBackend {
  typedArrayFromHeap?: (tensor: tf.TensorInfo) => Float32Array;
  readonly wasm?: WasmModule;
}

/** The active backend when it is tfjs's wasm backend with its heap reachable, else undefined. */
function wasmBackend(): HeapBackend | undefined {
  if (tf.getBackend() !== "wasm") return undefined;
  const backend = tf.backend() as unknown as HeapBackend;
  return backend.typedArrayFromHeap === undefined ? undefined : backend;
}

/**
 * A tensor's data in the wasm heap, in place (no copy; valid until the next tfjs allocation may
 * grow the heap), or undefined on other backends.
 */
export function heapView(tensor: tf.TensorInfo): Float32Array | undefined {
  return wasmBackend()?.typedArrayFromHeap?.(tensor);
}

/**
 * A tensor's data for reading on the CPU: on wasm a view of the heap (see {@link heapView}),
 * elsewhere a copy.
 */
export function hostData(tensor: tf.Tensor): Float32Array {
  return heapView(tensor) ?? (tensor.dataSync() as Float32Array);
}

/** The wasm backend's memory and allocator, for kernels of our own that run on its heap. */
export interface WasmHeap {
  readonly memory: WasmMemory;
  /** Bytes from the backend's allocator (tfjs allocates its tensors there too). */
  allocate(bytes: number): number;
  release(pointer: number): void;
}

/** The active wasm backend's {@link WasmHeap}, or undefined on other backends. */
export function wasmHeap(): WasmHeap | undefined {
  const module = wasmBackend()?.wasm;
  const memory = module?.asm?.memory;
  const malloc = module?._malloc;
  const free = module?._free;
  if (memory === undefined || malloc === undefined || free === undefined) return undefined;
  return { memory, allocate: (bytes) => malloc.call(module, bytes), release: (pointer) => free.call(module, pointer) };
}
