import { Mulberry32 } from "@ibtpo/random";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestBackend } from "../test-backend.test-helper.js";
import { MASKED_SCORE } from "./batch-layout.js";
import { singleQueryAttention } from "./single-query-attention.js";

beforeAll(useTestBackend);

describe("singleQueryAttention", () => {
  it("weights each value by the softmax of its score, worked by hand", () => {
    // One row, one head of dimension 2, three columns of a capacity-4 cache; the last is masked.
    const merged = singleQueryAttention({
      queries: Float32Array.of(Math.log(2), 0, 99),
      queryStride: 3,
      keys: Float32Array.of(0, 1, 2, 7, 5, 5, 5, 5),
      values: Float32Array.of(1, 0, 0, 1, 9, 9, 3, 3),
      bias: Float32Array.of(0, 0, MASKED_SCORE),
      batch: 1,
      heads: 1,
      headDimension: 2,
      capacity: 4,
      columns: 3,
    });
    // Scores 0 and log 2: weights 1/3 and 2/3 on values (1, 0) and (0, 1).
    expect(merged[0]).toBeCloseTo(1 / 3, 6);
    expect(merged[1]).toBeCloseTo(2 / 3, 6);
  });

  it("matches the batched matMul form on the cache's layouts", () => {
    const [batch, heads, headDimension, capacity, columns] = [3, 2, 5, 9, 7];
    const d = heads * headDimension;
    const random = new Mulberry32(7);
    const draw = (length: number) => Float32Array.from({ length }, () => random.nextNormal());
    const queries = draw(batch * 3 * d);
    const keys = draw(batch * heads * headDimension * capacity);
    const values = draw(batch * heads * capacity * headDimension);
    const bias = Float32Array.from({ length: batch * columns }, (_, index) =>
      index % columns < index / columns ? MASKED_SCORE : 0,
    );
    const merged = singleQueryAttention({
      queries,
      queryStride: 3 * d,
      keys,
      values,
      bias,
      batch,
      heads,
      headDimension,
      capacity,
      columns,
    });
    const expected = tf.tidy(() => {
      const headQueries = tf.tensor4d(
        Float32Array.from({ length: batch * d }, (_, index) => queries[Math.floor(index / d) * 3 * d + (index % d)]!),
        [batch, heads, 1, headDimension],
      );
      const columnBias = tf.concat(
        [tf.tensor4d(bias, [batch, 1, 1, columns]), tf.fill([batch, 1, 1, capacity - columns], MASKED_SCORE)],
        3,
      );
      const scores = tf.add(
        tf.matMul(headQueries, tf.tensor4d(keys, [batch, heads, headDimension, capacity])),
        columnBias,
      );
      const context = tf.matMul(tf.softmax(scores), tf.tensor4d(values, [batch, heads, capacity, headDimension]));
      return context.dataSync();
    });
    expect(merged.length).toBe(expected.length);
    merged.forEach((value, index) => {
      expect(Math.abs(value - expected[index]!)).toBeLessThan(1e-5);
    });
  });
});
