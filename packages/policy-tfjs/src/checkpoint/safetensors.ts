import { PolicyTfjsError } from "../errors.js";
import type { NamedWeight } from "../model/transformer-model.js";

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping each
 * tensor name to `{ dtype, shape, data_offsets }` (plus optional string `__metadata__`), padded
 * with spaces to 8 bytes, then the raw little-endian data. Only float32 ("F32") is written or read.
 *
 * @example
 * const bytes = encodeSafetensors([{ name: "w", shape: [2], data: Float32Array.of(1, 2) }], { step: "3" });
 * decodeSafetensors(bytes).weights[0].data; // Float32Array [1, 2]
 */
export function encodeSafetensors(weights: readonly NamedWeight[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const weight of weights) {
    const bytes = weight.data.length * 4;
    header[weight.name] = { dtype: "F32", shape: weight.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let headerText = JSON.stringify(header);
  headerText += " ".repeat((8 - ((8 + headerText.length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(headerText);
  const output = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(output.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  output.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const weight of weights) {
    for (let index = 0; index < weight.data.length; index++) {
      view.setFloat32(position, weight.data[index]!, true);
      position += 4;
    }
  }
  return output;
}

/**
 * Parse safetensors bytes; `source` (a file name) prefixes every error, and the tensor's name
 * follows it when one tensor is at fault. Sizes are checked against the file before any array is
 * allocated.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  source = "safetensors",
): { weights: NamedWeight[]; metadata: Record<string, string> } {
  const fail = (message: string, where?: string) => new PolicyTfjsError(message, where ? `${source} ${where}` : source);
  if (bytes.length < 8)
    throw fail(`only ${bytes.length} bytes; a safetensors file starts with an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8) throw fail(`header length ${headerLength} runs past the end of the file`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    throw fail(`the header is not JSON (${(error as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw fail("the header must be a JSON object of tensor entries");
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  if (
    typeof metadata !== "object" ||
    metadata === null ||
    Array.isArray(metadata) ||
    Object.values(metadata).some((value) => typeof value !== "string")
  ) {
    throw fail("must be an object of string values", "__metadata__");
  }
  const weights: NamedWeight[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const where = `tensor "${name}"`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw fail(`the header entry is ${JSON.stringify(entry)}, not { dtype, shape, data_offsets }`, where);
    }
    const {
      dtype,
      shape,
      data_offsets: offsets,
    } = entry as { dtype?: string; shape?: number[]; data_offsets?: number[] };
    if (dtype !== "F32") throw fail(`dtype ${String(dtype)} is not supported (expected F32)`, where);
    if (!Array.isArray(shape) || shape.some((size) => !Number.isInteger(size) || size < 0))
      throw fail("invalid shape", where);
    const [begin, end] = Array.isArray(offsets) ? offsets : [];
    const count = shape.reduce((a, b) => a * b, 1);
    // Checked before allocating: the offsets must lie in the file, so a huge shape cannot allocate.
    if (
      !Number.isInteger(begin) ||
      !Number.isInteger(end) ||
      begin === undefined ||
      end === undefined ||
      begin < 0 ||
      end > dataLength ||
      end - begin !== count * 4
    ) {
      throw fail(
        `data_offsets [${offsets}] do not hold ${count} float32 values within ${dataLength} data bytes`,
        where,
      );
    }
    const data = new Float32Array(count);
    for (let index = 0; index < count; index++) data[index] = view.getFloat32(dataStart + begin + index * 4, true);
    weights.push({ name, shape, data });
  }
  return { weights, metadata };
}
