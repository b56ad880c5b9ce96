import { Mulberry32 } from "@ibtpo/random";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { normalDraws, runOnWasmBackend } from "../test-backend.test-helper.js";
import { leftPaddedLayout } from "./batch-layout.js";
import { attendCausalOnHeap } from "./heap-causal-attention.js";

runOnWasmBackend();

const random = new Mulberry32(5);

/** Rows of different lengths (left padding), `time` columns, and the query-major bias the model passes. */
function drawInputs(lengths: number[], heads: number, headDimension: number) {
  const layout = leftPaddedLayout(lengths);
  const [batch, time, d] = [lengths.length, layout.width, heads * headDimension];
  const rows = () => tf.tensor2d(normalDraws(random, batch * time * d), [batch * time, d]);
  const bias = tf.tensor4d(layout.attentionBias(0, time), [batch, 1, time, time]);
  return {
    queries: rows(),
    keys: rows(),
    values: rows(),
    biasByQuery: tf.transpose(bias, [2, 0, 1, 3]) as tf.Tensor4D,
    shape: { batch, time, heads, d },
  };
}

/** Plain tfjs attention over every key: batched products and a softmax of the biased scores. */
function plainAttention(
  queries: tf.Tensor2D,
  keys: tf.Tensor2D,
  values: tf.Tensor2D,
  biasByQuery: tf.Tensor4D,
  { batch, time, heads, d }: { batch: number; time: number; heads: number; d: number },
): tf.Tensor2D {
  const split = (rows: tf.Tensor2D) => tf.transpose(tf.reshape(rows, [batch, time, heads, d / heads]), [0, 2, 1, 3]);
  const scores = tf.add(tf.matMul(split(queries), split(keys), false, true), tf.transpose(biasByQuery, [1, 2, 0, 3]));
  const merged = tf.matMul(tf.softmax(scores), split(values));
  return tf.reshape(tf.transpose(merged, [0, 2, 1, 3]), [batch * time, d]);
}

function largestDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe("attendCausalOnHeap", () => {
  // 7 columns: probability rows padded to 8; rows 1 and 2 start with padding queries.
  for (const [lengths, heads, headDimension] of [
    [[7, 4, 1], 2, 8],
    [[9, 9], 3, 4],
  ] as [number[], number, number][]) {
    it(`gives plain attention's values and gradients (lengths ${lengths}, ${heads} heads of ${headDimension})`, () => {
      const { queries, keys, values, biasByQuery, shape } = drawInputs(lengths, heads, headDimension);
      const probe = tf.randomNormal([shape.batch * shape.time, shape.d], 0, 1, "float32", 9);
      const loss = (attend: typeof plainAttention) => (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) =>
        tf.sum(tf.mul(attend(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, biasByQuery, shape), probe));
      const heap = (q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, bias: tf.Tensor4D) =>
        attendCausalOnHeap(q, k, v, bias, heads) as tf.Tensor2D;

      const expected = plainAttention(queries, keys, values, biasByQuery, shape);
      const actual = heap(queries, keys, values, biasByQuery);
      expect(largestDifference(actual, expected)).toBeLessThan(2e-6);

      const expectedGradients = tf.grads(loss(plainAttention))([queries, keys, values]);
      const actualGradients = tf.grads(loss(heap))([queries, keys, values]);
      for (const [index, name] of ["queries", "keys", "values"].entries()) {
        const scale = tf.max(tf.abs(expectedGradients[index]!)).dataSync()[0]!;
        expect(scale, name).toBeGreaterThan(0.1);
        expect(largestDifference(actualGradients[index]!, expectedGradients[index]!), name).toBeLessThan(1e-5 * scale);
      }
      tf.dispose([queries, keys, values, biasByQuery, probe, expected, actual, expectedGradients, actualGradients]);
    });
  }

  it("leaves a head width that is not a multiple of 4 to the ops path", () => {
    const { queries, keys, values, biasByQuery } = drawInputs([5, 3], 2, 3);
    expect(attendCausalOnHeap(queries, keys, values, biasByQuery, 2)).toBeUndefined();
    tf.dispose([queries, keys, values, biasByQuery]);
  });
});
