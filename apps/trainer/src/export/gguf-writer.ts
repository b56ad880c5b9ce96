/**
 * GGUF version 3, the file format of llama.cpp (ggml's `docs/gguf.md`): a header, typed metadata
 * key-values, tensor descriptions, then the tensor data, each tensor aligned to `general.alignment`
 * bytes. Little-endian throughout. Only what an exported policy needs is written: scalar, string
 * and array metadata, and float32 tensors.
 */

/** Metadata value types of GGUF (`gguf_metadata_value_type`). */
const GGUF_VALUE_TYPE = {
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
} as const;

/** Tensor element type F32 (`ggml_type`). */
const GGML_TYPE_F32 = 0;
/** Bytes every tensor's data offset is a multiple of (GGUF's default `general.alignment`). */
export const GGUF_ALIGNMENT = 32;
const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
const GGUF_VERSION = 3;

/** One metadata value, typed as it goes into the file. */
export type GgufValue =
  | { readonly type: "uint32"; readonly value: number }
  | { readonly type: "int32"; readonly value: number }
  | { readonly type: "float32"; readonly value: number }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "string-array"; readonly value: readonly string[] }
  | { readonly type: "float32-array"; readonly value: readonly number[] }
  | { readonly type: "int32-array"; readonly value: readonly number[] };

/**
 * One float32 tensor. `dimensions` are in ggml order: the first one is the fastest-varying (the
 * row length), so a row-major `[rows, columns]` array has dimensions `[columns, rows]`.
 */
export interface GgufTensor {
  readonly name: string;
  readonly dimensions: readonly number[];
  readonly data: Float32Array;
}

class ByteSink {
  private readonly chunks: Uint8Array[] = [];
  length = 0;

  bytes(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private number(size: number, write: (view: DataView) => void): void {
    const buffer = new Uint8Array(size);
    write(new DataView(buffer.buffer));
    this.bytes(buffer);
  }

  u32(value: number): void {
    this.number(4, (view) => view.setUint32(0, value, true));
  }

  i32(value: number): void {
    this.number(4, (view) => view.setInt32(0, value, true));
  }

  u64(value: number): void {
    this.number(8, (view) => view.setBigUint64(0, BigInt(value), true));
  }

  f32(value: number): void {
    this.number(4, (view) => view.setFloat32(0, value, true));
  }

  string(text: string): void {
    const encoded = new TextEncoder().encode(text);
    this.u64(encoded.length);
    this.bytes(encoded);
  }

  padTo(alignment: number): void {
    const padding = (alignment - (this.length % alignment)) % alignment;
    if (padding > 0) this.bytes(new Uint8Array(padding));
  }

  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

function writeArray<T>(sink: ByteSink, elementType: number, values: readonly T[], write: (value: T) => void): void {
  sink.u32(GGUF_VALUE_TYPE.array);
  sink.u32(elementType);
  sink.u64(values.length);
  for (const value of values) write(value);
}

function writeValue(sink: ByteSink, value: GgufValue): void {
  switch (value.type) {
    case "uint32":
      sink.u32(GGUF_VALUE_TYPE.uint32);
      sink.u32(value.value);
      return;
    case "int32":
      sink.u32(GGUF_VALUE_TYPE.int32);
      sink.i32(value.value);
      return;
    case "float32":
      sink.u32(GGUF_VALUE_TYPE.float32);
      sink.f32(value.value);
      return;
    case "bool":
      sink.u32(GGUF_VALUE_TYPE.bool);
      sink.bytes(Uint8Array.of(value.value ? 1 : 0));
      return;
    case "string":
      sink.u32(GGUF_VALUE_TYPE.string);
      sink.string(value.value);
      return;
    case "string-array":
      writeArray(sink, GGUF_VALUE_TYPE.string, value.value, (text) => sink.string(text));
      return;
    case "float32-array":
      writeArray(sink, GGUF_VALUE_TYPE.float32, value.value, (number) => sink.f32(number));
      return;
    case "int32-array":
      writeArray(sink, GGUF_VALUE_TYPE.int32, value.value, (number) => sink.i32(number));
      return;
  }
}

/**
 * The bytes of a GGUF v3 file with `metadata` (in the given order) and float32 `tensors`. Each
 * tensor's element count must match its dimensions.
 *
 * @example
 * const bytes = encodeGguf(new Map([["general.architecture", { type: "string", value: "gpt2" }]]), []);
 */
export function encodeGguf(metadata: ReadonlyMap<string, GgufValue>, tensors: readonly GgufTensor[]): Uint8Array {
  const sink = new ByteSink();
  sink.u32(GGUF_MAGIC);
  sink.u32(GGUF_VERSION);
  sink.u64(tensors.length);
  sink.u64(metadata.size);
  for (const [key, value] of metadata) {
    sink.string(key);
    writeValue(sink, value);
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const tensor of tensors) {
    const elements = tensor.dimensions.reduce((a, b) => a * b, 1);
    if (elements !== tensor.data.length) {
      throw new Error(
        `tensor ${tensor.name}: dimensions [${tensor.dimensions}] hold ${elements} values, data has ${tensor.data.length}`,
      );
    }
    sink.string(tensor.name);
    sink.u32(tensor.dimensions.length);
    for (const dimension of tensor.dimensions) sink.u64(dimension);
    sink.u32(GGML_TYPE_F32);
    sink.u64(offset);
    offsets.push(offset);
    offset += Math.ceil((tensor.data.length * 4) / GGUF_ALIGNMENT) * GGUF_ALIGNMENT;
  }
  sink.padTo(GGUF_ALIGNMENT);
  const dataStart = sink.length;
  tensors.forEach((tensor, index) => {
    const at = dataStart + (offsets[index] as number);
    if (sink.length < at) sink.bytes(new Uint8Array(at - sink.length));
    const bytes = new Uint8Array(tensor.data.length * 4);
    const view = new DataView(bytes.buffer);
    for (let position = 0; position < tensor.data.length; position++) {
      view.setFloat32(position * 4, tensor.data[position] as number, true);
    }
    sink.bytes(bytes);
  });
  sink.padTo(GGUF_ALIGNMENT);
  return sink.concat();
}
