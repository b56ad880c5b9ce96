import { Mulberry32 } from "@ibtpo/random";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { normalDraws, runOnWasmBackend } from "../test-backend.test-helper.js";
import { MASKED_SCORE } from "./batch-layout.js";
import { attendSingleQuery, writeColumnOnHeap } from "./heap-attention.js";
import { type SingleQueryInputs, singleQueryAttention } from "./single-query-attention.js";
import { heapView } from "./wasm-heap.js";

runOnWasmBackend();

const random = new Mulberry32(11);
const draw = (length: number) => normalDraws(random, length);

/** A tensor's heap view on wasm (the test needs the data in place, as a decode step has it). */
function onHeap(tensor: tf.Tensor): Float32Array {
  const view = heapView(tensor);
  if (view === undefined) throw new Error("the wasm backend's heap is not reachable");
  return view;
}

/** The sizes of a single-query attention call. */
interface AttentionSizes {
  readonly batch: number;
  readonly heads: number;
  readonly headDimension: number;
  readonly capacity: number;
  readonly columns: number;
}

/** Queries `[batch, 3d]` (as a decode step's projection), keys and values, drawn at random. */
function drawInputs({
  batch,
  heads,
  headDimension,
  capacity,
}: AttentionSizes): [Float32Array, Float32Array, Float32Array] {
  const d = heads * headDimension;
  return [draw(batch * 3 * d), draw(batch * d * capacity), draw(batch * capacity * d)];
}

/** The call's inputs with queries, keys and values copied into tensors and read in the heap. */
function attendFromHeap(
  sizes: AttentionSizes,
  [queryData, keyData, valueData]: [Float32Array, Float32Array, Float32Array],
  bias: Float32Array,
): Float32Array {
  const tensors = [queryData, keyData, valueData].map((data) => tf.tensor1d(data));
  const [queries, keys, values] = tensors.map(onHeap) as [Float32Array, Float32Array, Float32Array];
  const queryStride = 3 * sizes.heads * sizes.headDimension;
  const merged = attendSingleQuery({ queries, queryStride, keys, values, bias, ...sizes });
  tf.dispose(tensors);
  return merged;
}

describe("attendSingleQuery on the wasm heap", () => {
  // Head dimensions and column counts on each side of the kernels' 16-, 8- and 4-wide passes.
  const shapes = [
    { batch: 1, heads: 1, headDimension: 1, capacity: 1, columns: 1 },
    { batch: 2, heads: 3, headDimension: 5, capacity: 9, columns: 7 },
    { batch: 3, heads: 2, headDimension: 4, capacity: 12, columns: 4 },
    { batch: 2, heads: 2, headDimension: 17, capacity: 21, columns: 13 },
    { batch: 4, heads: 4, headDimension: 32, capacity: 64, columns: 33 },
    { batch: 1, heads: 2, headDimension: 20, capacity: 19, columns: 19 },
  ];
  for (const shape of shapes) {
    it(`matches the host loop within float32 rounding (${JSON.stringify(shape)})`, () => {
      const { batch, heads, headDimension, columns } = shape;
      const d = heads * headDimension;
      // Row b has its last b columns masked, as left-padded rows do.
      const bias = Float32Array.from({ length: batch * columns }, (_, index) =>
        index % columns > columns - 1 - Math.floor(index / columns) ? MASKED_SCORE : 0,
      );
      const data = drawInputs(shape);
      const [queries, keys, values] = data;
      const host = singleQueryAttention({ queries, queryStride: 3 * d, keys, values, bias, ...shape });
      const simd = attendFromHeap(shape, data, bias);
      expect(simd.length).toBe(batch * d);
      simd.forEach((value, index) => {
        expect(Math.abs(value - host[index]!)).toBeLessThan(2e-6 * Math.max(1, Math.abs(host[index]!)));
      });
    });
  }

  it("ignores masked columns' keys and values", () => {
    const sizes = { batch: 1, heads: 1, headDimension: 4, capacity: 8, columns: 6 };
    const { headDimension, capacity } = sizes;
    const bias = Float32Array.of(0, 0, 0, MASKED_SCORE, MASKED_SCORE, MASKED_SCORE);
    const run = (masked: number) => {
      const [, keys, values] = drawInputs(sizes);
      const fixed = new Mulberry32(3);
      for (let index = 0; index < headDimension; index++)
        for (let column = 0; column < 3; column++) keys[index * capacity + column] = fixed.nextNormal();
      for (let column = 0; column < 3; column++)
        for (let index = 0; index < headDimension; index++) values[column * headDimension + index] = fixed.nextNormal();
      for (let column = 3; column < capacity; column++)
        for (let index = 0; index < headDimension; index++) values[column * headDimension + index] = masked;
      const queries = Float32Array.of(1, -1, 0.5, 2, 0, 0, 0, 0, 0, 0, 0, 0);
      return attendFromHeap(sizes, [queries, keys, values], bias);
    };
    expect(run(1e6)).toEqual(run(-7));
  });

  it("skips each row's leading masked columns (left padding): what they hold changes nothing", () => {
    const sizes = { batch: 3, heads: 2, headDimension: 8, capacity: 12, columns: 9 };
    const { batch, heads, headDimension, capacity, columns } = sizes;
    const pads = [0, 2, 5];
    const bias = Float32Array.from({ length: batch * columns }, (_, index) =>
      index % columns < pads[Math.floor(index / columns)]! ? MASKED_SCORE : 0,
    );
    const data = drawInputs(sizes);
    const withPadding = (fill: number): [Float32Array, Float32Array, Float32Array] => {
      const values = data[2].slice();
      for (let row = 0; row < batch; row++)
        for (let head = 0; head < heads; head++)
          for (let column = 0; column < pads[row]!; column++)
            values.fill(
              fill,
              ((row * heads + head) * capacity + column) * headDimension,
              ((row * heads + head) * capacity + column + 1) * headDimension,
            );
      return [data[0], data[1], values];
    };
    // A weight of e^-87 (what the softmax gives a masked score) times 1e30 would show.
    expect(attendFromHeap(sizes, withPadding(1e30), bias)).toEqual(attendFromHeap(sizes, withPadding(0), bias));
  });

  it("gives the same result after the heap has grown", () => {
    const sizes = { batch: 2, heads: 2, headDimension: 8, capacity: 10, columns: 9 };
    const data = drawInputs(sizes);
    const bias = new Float32Array(sizes.batch * sizes.columns);
    const before = attendFromHeap(sizes, data, bias);
    const probe = tf.zeros([1]);
    const bytesBefore = onHeap(probe).buffer.byteLength;
    // Larger than the heap so far: the backend grows its memory, and every old view detaches.
    const large = tf.zeros([bytesBefore / 2]);
    expect(onHeap(probe).buffer.byteLength).toBeGreaterThan(bytesBefore);
    const after = attendFromHeap(sizes, data, bias);
    tf.dispose([probe, large]);
    expect(after).toEqual(before);
  });

  it("falls back to the host loop, bit for bit, when the data is not on the heap", () => {
    const [batch, heads, headDimension, capacity, columns] = [2, 2, 8, 10, 9];
    const d = heads * headDimension;
    const inputs: SingleQueryInputs = {
      queries: draw(batch * 3 * d),
      queryStride: 3 * d,
      keys: draw(batch * d * capacity),
      values: draw(batch * capacity * d),
      bias: new Float32Array(batch * columns),
      batch,
      heads,
      headDimension,
      capacity,
      columns,
    };
    expect(attendSingleQuery(inputs)).toEqual(singleQueryAttention(inputs));
  });
});

describe("writeColumnOnHeap", () => {
  it("writes keys transposed and values in runs, into one column, touching nothing else", () => {
    const [batch, heads, headDimension, capacity, column] = [3, 2, 5, 7, 4];
    const d = heads * headDimension;
    const stride = 3 * d;
    const rowsData = draw(batch * stride);
    const before = [draw(batch * d * capacity), draw(batch * capacity * d)];
    const tensors = [rowsData, ...before].map((data) => tf.tensor1d(data));
    const [rows, keys, values] = tensors.map(onHeap) as [Float32Array, Float32Array, Float32Array];
    const written = writeColumnOnHeap({
      rows,
      stride,
      keysAt: d,
      valuesAt: 2 * d,
      keys,
      values,
      batch,
      heads,
      headDimension,
      capacity,
      column,
    });
    expect(written).toBe(true);
    const [keysAfter, valuesAfter] = [onHeap(tensors[1]!).slice(), onHeap(tensors[2]!).slice()];
    tf.dispose(tensors);
    const expectedKeys = before[0]!.slice();
    const expectedValues = before[1]!.slice();
    for (let row = 0; row < batch; row++) {
      for (let channel = 0; channel < d; channel++) {
        expectedKeys[(row * d + channel) * capacity + column] = rowsData[row * stride + d + channel]!;
        const head = Math.floor(channel / headDimension);
        expectedValues[((row * heads + head) * capacity + column) * headDimension + (channel % headDimension)] =
          rowsData[row * stride + 2 * d + channel]!;
      }
    }
    expect(keysAfter).toEqual(expectedKeys);
    expect(valuesAfter).toEqual(expectedValues);
  });

  it("declines rows that are not on the heap", () => {
    const cache = tf.zeros([1, 1, 1, 2]);
    const heap = onHeap(cache);
    const write = { rows: new Float32Array(3), stride: 3, keysAt: 1, valuesAt: 2, keys: heap, values: heap };
    expect(writeColumnOnHeap({ ...write, batch: 1, heads: 1, headDimension: 1, capacity: 2, column: 0 })).toBe(false);
    cache.dispose();
  });
});
