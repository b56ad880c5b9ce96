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
      const kept = cache.keepRows([1]);
      expect(kept.batch).toBe(1);
      expect(kept.keys(0).arraySync()[0]![1]![2]![13]).toBeCloseTo(entry(1, 1, 13, 5), 3);
      kept.dispose();
    });
  }
});
