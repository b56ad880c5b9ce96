import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestBackend } from "../test-backend.test-helper.js";
import { gelu, layerNorm } from "./normalization.js";

beforeAll(useTestBackend);

describe("gelu", () => {
  it("equals the tanh form of GPT-2", () => {
    const inputs = [-4, -1.5, -0.3, 0, 0.2, 1, 2.5, 6];
    const expected = inputs.map((x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))));
    const actual = tf.tidy(() => gelu(tf.tensor2d(inputs, [2, 4])).dataSync());
    actual.forEach((value, index) => {
      expect(value).toBeCloseTo(expected[index]!, 5);
    });
  });
});

describe("layerNorm", () => {
  it("normalises each row to mean 0 and variance 1 before gain and bias", () => {
    const actual = tf.tidy(() =>
      layerNorm(
        tf.tensor2d([1, 2, 3, 4, 10, 10, 10, 14], [2, 4]),
        tf.tensor1d([1, 1, 1, 2]),
        tf.tensor1d([0, 0, 0, 1]),
        0,
      ).arraySync(),
    );
    const scale = 1 / Math.sqrt(1.25);
    expect(actual[0]!.map((v) => Number(v.toFixed(5)))).toEqual(
      [-1.5 * scale, -0.5 * scale, 0.5 * scale, 2 * 1.5 * scale + 1].map((v) => Number(v.toFixed(5))),
    );
    expect(actual[1]![3]).toBeCloseTo(2 * Math.sqrt(3) + 1, 5);
  });
});
