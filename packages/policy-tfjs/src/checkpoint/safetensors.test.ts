import { describe, expect, it } from "vitest";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.js";

const weights = [
  { name: "a", shape: [2, 2], data: Float32Array.of(1, -2, 3.5, Number.NaN) },
  { name: "b", shape: [1], data: Float32Array.of(-0) },
];

describe("safetensors", () => {
  it("writes the documented layout: u64 header length, space-padded JSON, little-endian data", () => {
    const bytes = encodeSafetensors(weights, { step: "7" });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(header).toEqual({
      __metadata__: { step: "7" },
      a: { dtype: "F32", shape: [2, 2], data_offsets: [0, 16] },
      b: { dtype: "F32", shape: [1], data_offsets: [16, 20] },
    });
    // 1.0f little-endian is 00 00 80 3f.
    expect(Array.from(bytes.subarray(8 + headerLength, 8 + headerLength + 4))).toEqual([0, 0, 0x80, 0x3f]);
    expect(bytes.length).toBe(8 + headerLength + 20);
  });

  it("reads back exactly what it wrote, bit for bit", () => {
    const { weights: decoded, metadata } = decodeSafetensors(encodeSafetensors(weights, { step: "7" }));
    expect(metadata).toEqual({ step: "7" });
    expect(decoded.map((w) => w.name)).toEqual(["a", "b"]);
    expect(new Uint8Array(decoded[0]!.data.buffer)).toEqual(new Uint8Array(weights[0]!.data.buffer));
    expect(Object.is(decoded[1]!.data[0], -0)).toBe(true);
  });

  it("rejects truncated data and other dtypes, naming the tensor", () => {
    const bytes = encodeSafetensors(weights);
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4), "model.safetensors")).toThrow(
      /model.safetensors tensor "b": data_offsets \[16,20\]/,
    );
    const header = JSON.stringify({ h: { dtype: "F16", shape: [1], data_offsets: [0, 2] } });
    const f16 = new Uint8Array(8 + header.length + 2);
    new DataView(f16.buffer).setBigUint64(0, BigInt(header.length), true);
    f16.set(new TextEncoder().encode(header), 8);
    expect(() => decodeSafetensors(f16)).toThrow(/tensor "h": dtype F16 is not supported/);
  });
});
