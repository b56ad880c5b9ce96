import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import type { LossAggregation } from "../option-choices.js";
import { aggregateTokenValues } from "./aggregate-token-values.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

// Row 0 trains two tokens once, row 1 one token for 2 identical trajectories, row 2 nothing.
const values = [1, 2, 3, 4, 5, 6, 7, 8, 9];
const mask = [1, 1, 0, 2, 0, 0, 0, 0, 0];

function aggregate(mode: LossAggregation, normalizerLength: number | null = null): number {
  return tf.tidy(() =>
    aggregateTokenValues(tf.tensor2d(values, [3, 3]), tf.tensor2d(mask, [3, 3]), mode, normalizerLength).arraySync(),
  );
}

describe("aggregateTokenValues (worked by hand)", () => {
  it("token-mean divides the weighted sum by the total weight", () => {
    expect(aggregate("token-mean")).toBeCloseTo((1 + 2 + 2 * 4) / 4, 6); // 2.75
  });

  it("seq-mean-token-mean averages row means weighted by row weight", () => {
    // Row means 1.5 (weight 1) and 4 (weight 2); the empty row does not count.
    expect(aggregate("seq-mean-token-mean")).toBeCloseTo((1.5 + 2 * 4) / 3, 6);
  });

  it("seq-mean-token-mean weighs a row's tokens by their weight over the row's, averaged over its trained tokens", () => {
    // Row 0: weights 0.5 and 1 (a shared token weighing half), row weight 1, two trained tokens:
    // mean (0.5 x 1 + 1 x 2) / 2 = 1.25. Row 1: weight 2, one token: 4. (1.25 + 2 x 4) / 3.
    const result = tf.tidy(() =>
      aggregateTokenValues(
        tf.tensor2d(values, [3, 3]),
        tf.tensor2d([0.5, 1, 0, 2, 0, 0, 0, 0, 0], [3, 3]),
        "seq-mean-token-mean",
      ).arraySync(),
    );
    expect(result).toBeCloseTo((1.25 + 2 * 4) / 3, 6);
  });

  it("seq-mean-token-sum-norm divides the weighted sum by row weight x length", () => {
    expect(aggregate("seq-mean-token-sum-norm")).toBeCloseTo(11 / (3 * 3), 6);
    expect(aggregate("seq-mean-token-sum-norm", 4)).toBeCloseTo(11 / (3 * 4), 6);
  });

  it("counts a row of weight k like k copies of it", () => {
    const copies = (mode: LossAggregation) =>
      tf.tidy(() =>
        aggregateTokenValues(
          tf.tensor2d([1, 2, 3, 4, 5, 6, 4, 5, 6], [3, 3]),
          tf.tensor2d([1, 1, 0, 1, 0, 0, 1, 0, 0], [3, 3]),
          mode,
        ).arraySync(),
      );
    for (const mode of ["token-mean", "seq-mean-token-mean", "seq-mean-token-sum-norm"] as const) {
      expect(aggregate(mode)).toBeCloseTo(copies(mode), 6);
    }
  });

  it("gives 0, not NaN, when nothing is trained", () => {
    const zero = tf.tidy(() =>
      aggregateTokenValues(tf.ones([2, 2]), tf.zeros([2, 2]), "seq-mean-token-mean").arraySync(),
    );
    expect(zero).toBe(0);
  });
});
