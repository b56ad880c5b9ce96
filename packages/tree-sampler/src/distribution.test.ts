import { describe, expect, it } from "vitest";
import { drawToken, entropyOf, temperatureScaled, truncatedDistribution } from "./distribution.js";

describe("temperatureScaled", () => {
  it("is p^(1/T) renormalised, exactly on a small case", () => {
    // p = [0.2, 0.8] at T = 0.5: [0.04, 0.64] / 0.68.
    const scaled = temperatureScaled([0.2, 0.8], 0.5);
    expect(scaled[0]).toBeCloseTo(0.04 / 0.68, 14);
    expect(scaled[1]).toBeCloseTo(0.64 / 0.68, 14);
    expect(Array.from(temperatureScaled([0.25, 0, 0.75], 1))).toEqual([0.25, 0, 0.75]);
  });

  it("does not underflow at tiny temperatures", () => {
    const scaled = temperatureScaled([0.3, 0.7], 0.001);
    expect(scaled[1]).toBe(1);
    expect(scaled[0]).toBe(0);
  });
});

describe("entropyOf", () => {
  it("is -sum p ln p in nats with 0 ln 0 = 0", () => {
    expect(entropyOf([0.5, 0.5])).toBeCloseTo(Math.LN2, 15);
    expect(entropyOf([1, 0, 0])).toBe(0);
    expect(entropyOf([0.25, 0.25, 0.5])).toBeCloseTo(1.5 * Math.LN2, 15);
  });
});

describe("truncatedDistribution", () => {
  const p = Float64Array.from([0.1, 0.4, 0.2, 0.3]);

  it("keeps the top k, ties to the smaller id", () => {
    expect(Array.from(truncatedDistribution(p, 2, 1))).toEqual([0, 0.4 / 0.7, 0, 0.3 / 0.7]);
    const tied = Float64Array.from([0.25, 0.25, 0.25, 0.25]);
    expect(Array.from(truncatedDistribution(tied, 1, 1))).toEqual([1, 0, 0, 0]);
  });

  it("keeps the smallest top set reaching top-p", () => {
    // 0.4 < 0.65, 0.4 + 0.3 >= 0.65: tokens 1 and 3.
    expect(Array.from(truncatedDistribution(p, 0, 0.65))).toEqual([0, 0.4 / 0.7, 0, 0.3 / 0.7]);
    expect(Array.from(truncatedDistribution(p, 0, 0.4))).toEqual([0, 1, 0, 0]);
  });

  it("is the identity with both off", () => {
    expect(truncatedDistribution(p, 0, 1)).toBe(p);
  });
});

describe("drawToken", () => {
  it("inverts the CDF over token ids", () => {
    const p = Float64Array.from([0.5, 0, 0.25, 0.25]);
    expect(drawToken(p, 0)).toBe(0);
    expect(drawToken(p, 0.4999)).toBe(0);
    expect(drawToken(p, 0.5)).toBe(2);
    expect(drawToken(p, 0.75)).toBe(3);
    expect(drawToken(p, 0.999999)).toBe(3);
  });
});
