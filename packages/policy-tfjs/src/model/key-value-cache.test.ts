import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestBackend } from "../test-backend.test-helper.js";
import { CACHE_GROWTH_COLUMNS, KeyValueCache } from "./key-value-cache.js";

beforeAll(useTestBackend);
afterAll(useTestBackend);

const batch = 2;
const heads = 2;
const headDimension = 3;
const d = heads * headDimension;
/** A distinct value for every (sequence, column, channel) and for keys and values. */
const entry = (kind: number, row: number, column: number, channel: number) =>
  kind * 1000 + row * 100 + column + channel / 10;
const rowsAt = (kind: number, columns: number[]) =>
  tf.tensor2d(
    Float32Array.from({ length: batch * columns.length * d }, (_, index) => {
      const channel = index % d;
      const flat = Math.floor(index / d);
      return entry(kind, Math.floor(flat / columns.length), columns[flat % columns.length]!, channel);
    }),
    [batch * columns.length, d],
  );

/** Written columns must hold exactly what was written and every other column zero. */
function expectContents(cache: KeyValueCache, layer: number) {
  const capacity = cache.capacity;
  const keys = cache.keys(layer).arraySync();
  const values = cache.values(layer).arraySync();
  for (let row = 0; row < batch; row++) {
    for (let head = 0; head < heads; head++) {
      for (let column = 0; column < capacity; column++) {
        for (let c = 0; c < headDimension; c++) {
          const written = column < cache.length;
          const channel = head * headDimension + c;
          expect(keys[row]![head]![c]![column]).toBeCloseTo(written ? entry(1, row, column, channel) : 0, 3);
          expect(values[row]![head]![column]![c]).toBeCloseTo(written ? entry(2, row, column, channel) : 0, 3);
        }
      }
    }
  }
}

describe("KeyValueCache", () => {
  for (const backend of ["wasm", "cpu"]) {
    it(`writes columns past its first capacity, growing as needed (${backend})`, async () => {
      await tf.setBackend(backend);
      const prefill = [0, 1, 2];
      const cache = KeyValueCache.fromRows([rowsAt(1, prefill)], [rowsAt(2, prefill)], { batch, time: 3, heads });
      expect(cache.capacity).toBe(3 + CACHE_GROWTH_COLUMNS);
      for (let column = 3; column < 14; column++) {
        cache.reserveColumn();
        tf.tidy(() => cache.writeColumn(0, rowsAt(1, [column]), rowsAt(2, [column])));
        cache.advance();
        if (column === 5 || column === 13) expectContents(cache, 0);
      }
      expect(cache.capacity).toBe(3 + 2 * CACHE_GROWTH_COLUMNS);
      const [keys, values] = [cache.keys(0).arraySync(), cache.values(0).arraySync()];
      const kept = cache.keepRows([1, 0, 1]);
      expect(kept.batch).toBe(3);
      expect(kept.keys(0).arraySync()).toEqual([keys[1], keys[0], keys[1]]);
      expect(kept.values(0).arraySync()).toEqual([values[1], values[0], values[1]]);
      expect(kept.keys(0).arraySync()[0]![1]![2]![13]).toBeCloseTo(entry(1, 1, 13, 5), 3);
      kept.dispose();
    });

    it(`drops leading columns in place, the rest shifted left and zeros after them (${backend})`, async () => {
      await tf.setBackend(backend);
      const columns = [0, 1, 2, 3, 4];
      const cache = KeyValueCache.fromRows([rowsAt(1, columns)], [rowsAt(2, columns)], { batch, time: 5, heads });
      const capacity = cache.capacity;
      cache.dropLeadingColumns(2);
      expect([cache.length, cache.capacity]).toEqual([3, capacity]);
      const keys = cache.keys(0).arraySync();
      const values = cache.values(0).arraySync();
      for (let row = 0; row < batch; row++) {
        for (let head = 0; head < heads; head++) {
          for (let c = 0; c < headDimension; c++) {
            const channel = head * headDimension + c;
            const expected = (kind: number) =>
              Array.from({ length: capacity }, (_, column) =>
                column < 3 ? Math.fround(entry(kind, row, column + 2, channel)) : 0,
              );
            expect(keys[row]![head]![c]).toEqual(expected(1));
            expect(values[row]![head]!.map((column) => column[c])).toEqual(expected(2));
          }
        }
      }
      expect(() => cache.dropLeadingColumns(4)).toThrow(/\[0, 3\], got 4/);
      cache.dispose();
    });

    it(`copies rows' columns out and lays them out again left-padded (${backend})`, async () => {
      await tf.setBackend(backend);
      const columns = [0, 1, 2, 3];
      const cache = KeyValueCache.fromRows([rowsAt(1, columns)], [rowsAt(2, columns)], { batch, time: 4, heads });
      // Row 0 from column 1 on (3 positions), row 1 from column 0 (2 positions).
      const read = cache.readRows([
        { position: 0, from: 1, length: 3 },
        { position: 1, from: 0, length: 2 },
      ]);
      expect(read.map((row) => row.length)).toEqual([3, 2]);
      // Keys [heads, headDimension, length]: head 1, channel 2 of row 0 at its positions 0..2.
      expect(Array.from(read[0]!.keys[0]!.subarray(5 * 3, 6 * 3))).toEqual(
        [1, 2, 3].map((column) => Math.fround(entry(1, 0, column, 5))),
      );
      const relaid = KeyValueCache.fromRowKeyValues(
        [
          { source: read[1]!, length: 1 },
          { source: read[0]!, length: 3 },
        ],
        4,
        { heads, headDimension },
      );
      expect(relaid.length).toBe(4);
      const values = relaid.values(0).arraySync();
      const keys = relaid.keys(0).arraySync();
      for (let head = 0; head < heads; head++) {
        for (let c = 0; c < headDimension; c++) {
          const channel = head * headDimension + c;
          // Row 0 holds row 1's first position right-aligned at column 3; columns 0-2 are zero padding.
          expect([0, 1, 2, 3].map((column) => values[0]![head]![column]![c])).toEqual([
            0,
            0,
            0,
            Math.fround(entry(2, 1, 0, channel)),
          ]);
          expect([0, 1, 2, 3].map((column) => keys[1]![head]![c]![column])).toEqual([
            0,
            ...[1, 2, 3].map((column) => Math.fround(entry(1, 0, column, channel))),
          ]);
        }
      }
      cache.dispose();
      relaid.dispose();
    });

    it(`rearranges rows right-aligned at a new width and overwrites a row in place (${backend})`, async () => {
      await tf.setBackend(backend);
      const columns = [0, 1, 2, 3];
      const cache = KeyValueCache.fromRows([rowsAt(1, columns)], [rowsAt(2, columns)], { batch, time: 4, heads });
      const [source] = cache.readRows([{ position: 0, from: 0, length: 2 }]);
      /** Per row, the keys and values of channel 4 at each column of a cache, for comparison. */
      const channel4 = (next: KeyValueCache) => {
        const keys = next.keys(0).arraySync();
        const values = next.values(0).arraySync();
        return keys.map((row, index) => ({
          keys: row[1]![1]!.slice(0, next.length),
          values: values[index]![1]!.slice(0, next.length).map((column) => column[1]!),
        }));
      };
      const at = (kind: number, row: number, column: number) => Math.fround(entry(kind, row, column, 4));
      // Same width and capacity (rows copied as blocks), then a narrower width (columns shifted).
      const same = cache.rearranged(
        [
          { position: 1, length: 4 },
          { source: source!, length: 2 },
        ],
        4,
        cache.capacity,
      );
      expect(same.capacity).toBe(4 + CACHE_GROWTH_COLUMNS);
      expect(channel4(same)).toEqual([
        { keys: [0, 1, 2, 3].map((c) => at(1, 1, c)), values: [0, 1, 2, 3].map((c) => at(2, 1, c)) },
        { keys: [0, 0, at(1, 0, 0), at(1, 0, 1)], values: [0, 0, at(2, 0, 0), at(2, 0, 1)] },
      ]);
      const narrow = same.rearranged(
        [
          { position: 1, length: 2 },
          { position: 0, length: 3 },
        ],
        3,
      );
      expect([narrow.length, narrow.capacity]).toEqual([3, 3 + CACHE_GROWTH_COLUMNS]);
      expect(channel4(narrow)).toEqual([
        { keys: [0, at(1, 0, 0), at(1, 0, 1)], values: [0, at(2, 0, 0), at(2, 0, 1)] },
        { keys: [1, 2, 3].map((c) => at(1, 1, c)), values: [1, 2, 3].map((c) => at(2, 1, c)) },
      ]);
      const overwritten = narrow.overwriteRows([{ position: 1, source: source!, length: 1 }]);
      expect(channel4(overwritten)).toEqual([
        { keys: [0, at(1, 0, 0), at(1, 0, 1)], values: [0, at(2, 0, 0), at(2, 0, 1)] },
        { keys: [0, 0, at(1, 0, 0)], values: [0, 0, at(2, 0, 0)] },
      ]);
      expect(() => overwritten.overwriteRows([{ position: 0, source: source!, length: 4 }])).toThrow(
        /4 columns do not fit in 3/,
      );
      overwritten.dispose();
    });
  }
});
