import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { klPenalty } from "./kl-penalty.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

// d = logp - refLogp = [1, -1, -15, 15].
const logp = [-1, -2, -20, -5];
const refLogp = [-2, -1, -5, -20];

function estimate(estimator: "k1" | "k2" | "k3"): number[] {
  return tf.tidy(() => Array.from(klPenalty(tf.tensor1d(logp), tf.tensor1d(refLogp), estimator).dataSync()));
}

describe("klPenalty (worked by hand)", () => {
  it("k1 is the log-ratio", () => {
    expect(estimate("k1")).toEqual([1, -1, -15, 15]);
  });

  it("k2 is half the squared log-ratio", () => {
    expect(estimate("k2")).toEqual([0.5, 0.5, 112.5, 112.5]);
  });

  it("k3 is exp(-d) + d - 1, clamped to [-10, 10]", () => {
    const k3 = estimate("k3");
    expect(k3[0]).toBeCloseTo(Math.exp(-1), 6); // e^-1 + 1 - 1 = 0.367879
    expect(k3[1]).toBeCloseTo(Math.E - 2, 5); // e^1 - 1 - 1 = 0.718282
    expect(k3[2]).toBe(10); // e^15 - 16 = 3.3e6, clamped
    expect(k3[3]).toBe(10); // e^-15 + 14, clamped
  });
});
