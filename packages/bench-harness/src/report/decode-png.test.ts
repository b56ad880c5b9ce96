import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodePng } from "./decode-png.js";

function crcLessChunk(type: string, body: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(body.length, 0);
  header.write(type, 4, "latin1");
  // The decoder does not check CRCs, so zeros stand in for them.
  return Buffer.concat([header, Buffer.from(body), Buffer.alloc(4)]);
}

/** A 2x2 RGB PNG whose rows use the Sub and Up filters. */
function tinyPng(): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  // Row 0 (Sub): (10,20,30) then (15,25,35) stored as the difference (5,5,5).
  // Row 1 (Up): (11,22,33) and (16,27,38) stored as differences from row 0 (1,2,3).
  const raw = Uint8Array.from([1, 10, 20, 30, 5, 5, 5, 2, 1, 2, 3, 1, 2, 3]);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    crcLessChunk("IHDR", ihdr),
    crcLessChunk("IDAT", deflateSync(raw)),
    crcLessChunk("IEND", new Uint8Array()),
  ]);
}

describe("decodePng", () => {
  it("undoes the row filters", () => {
    const image = decodePng(tinyPng());
    expect([image.width, image.height]).toEqual([2, 2]);
    expect([...image.pixels]).toEqual([10, 20, 30, 255, 15, 25, 35, 255, 11, 22, 33, 255, 16, 27, 38, 255]);
  });

  it("rejects what is not a PNG", () => {
    expect(() => decodePng(new Uint8Array([1, 2, 3]))).toThrow(/not a PNG/);
  });
});
