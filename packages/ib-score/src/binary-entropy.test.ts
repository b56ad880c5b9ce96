import { describe, expect, it } from "vitest";
import { binaryEntropy, binaryEntropyDerivative, smoothedValue } from "./binary-entropy.js";

describe("binaryEntropy", () => {
  it("is ln 2 at one half and 0 at the ends", () => {
    expect(binaryEntropy(0.5)).toBeCloseTo(Math.LN2, 15);
    expect(binaryEntropy(0)).toBe(0);
    expect(binaryEntropy(1)).toBe(0);
  });

  it("matches the formula at 0.25", () => {
    expect(binaryEntropy(0.25)).toBeCloseTo(-0.25 * Math.log(0.25) - 0.75 * Math.log(0.75), 15);
  });

  it("has derivative ln((1 - x) / x)", () => {
    expect(binaryEntropyDerivative(0.5)).toBe(0);
    expect(binaryEntropyDerivative(0.25)).toBeCloseTo(Math.log(3), 15);
  });
});

describe("smoothedValue", () => {
  it("is the plain mean with alpha 0 and pulls towards one half with alpha > 0", () => {
    expect(smoothedValue(3, 4, 0)).toBe(0.75);
    expect(smoothedValue(1, 1, 0.5)).toBe(0.75);
    expect(smoothedValue(0, 1, 0.5)).toBe(0.25);
  });

  it("is undefined (NaN) for a node without trajectories and alpha 0", () => {
    expect(smoothedValue(0, 0, 0)).toBeNaN();
  });
});
