/** A GGUF v3 reader for tests: metadata values and float32 tensors, as the format spec lays them out. */
export interface ReadGguf {
  readonly version: number;
  readonly metadata: Map<string, unknown>;
  readonly tensors: Map<string, { dimensions: number[]; type: number; offset: number; data: Float32Array }>;
  readonly dataStart: number;
}

export function readGguf(bytes: Uint8Array): ReadGguf {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const u32 = () => {
    const value = view.getUint32(at, true);
    at += 4;
    return value;
  };
  const u64 = () => {
    const value = Number(view.getBigUint64(at, true));
    at += 8;
    return value;
  };
  const string = () => {
    const length = u64();
    const text = new TextDecoder().decode(bytes.subarray(at, at + length));
    at += length;
    return text;
  };
  const scalar = (type: number): unknown => {
    switch (type) {
      case 4:
        return u32();
      case 5: {
        const value = view.getInt32(at, true);
        at += 4;
        return value;
      }
      case 6: {
        const value = view.getFloat32(at, true);
        at += 4;
        return value;
      }
      case 7:
        return bytes[at++] === 1;
      case 8:
        return string();
      case 9: {
        const elementType = u32();
        return Array.from({ length: u64() }, () => scalar(elementType));
      }
      default:
        throw new Error(`value type ${type} at byte ${at} is not read by this helper`);
    }
  };
  if (u32() !== 0x46554747) throw new Error("not a GGUF file");
  const version = u32();
  const tensorCount = u64();
  const metadataCount = u64();
  const metadata = new Map<string, unknown>();
  for (let index = 0; index < metadataCount; index++) {
    const key = string();
    metadata.set(key, scalar(u32()));
  }
  const infos = Array.from({ length: tensorCount }, () => {
    const name = string();
    const dimensions = Array.from({ length: u32() }, () => u64());
    return { name, dimensions, type: u32(), offset: u64() };
  });
  const alignment = (metadata.get("general.alignment") as number | undefined) ?? 32;
  const dataStart = Math.ceil(at / alignment) * alignment;
  const tensors = new Map(
    infos.map((info) => {
      const count = info.dimensions.reduce((a, b) => a * b, 1);
      const start = dataStart + info.offset;
      const data = new Float32Array(count);
      for (let index = 0; index < count; index++) data[index] = view.getFloat32(start + index * 4, true);
      return [info.name, { ...info, data }];
    }),
  );
  return { version, metadata, tensors, dataStart };
}
