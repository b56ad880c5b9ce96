import { describe, expect, it } from "vitest";
import { gradientCosine, pairedCosineDifference, poolCosines } from "./alignment-pooling.js";

describe("gradientCosine", () => {
  it("gives the cosine of hand-worked vectors", () => {
    expect(gradientCosine(Float64Array.of(1, 0), Float64Array.of(1, 1))).toBeCloseTo(Math.SQRT1_2, 15);
    // (3, 4) . (4, -3) = 0
    expect(gradientCosine(Float64Array.of(3, 4), Float64Array.of(4, -3))).toBe(0);
    // (1, 2, 2) . (2, 1, -2) = 0; (1, 2, 2) . (-2, -4, -4) = -18 = -3 * 6
    expect(gradientCosine(Float64Array.of(1, 2, 2), Float64Array.of(-2, -4, -4))).toBe(-1);
    expect(gradientCosine(Float64Array.of(1, 2, 2), Float64Array.of(2, 2, 1))).toBeCloseTo(8 / 9, 15);
  });

  it("is 0 for a zero gradient and rejects vectors of different lengths", () => {
    expect(gradientCosine(Float64Array.of(0, 0), Float64Array.of(1, 2))).toBe(0);
    expect(() => gradientCosine(Float64Array.of(1), Float64Array.of(1, 2))).toThrow(/lengths 1 and 2 differ/);
  });
});

describe("poolCosines", () => {
  it("pools cosines as their mean with a 95% t interval over batches", () => {
    // mean 0.5, squared deviations sum to 0.02, std sqrt(0.02 / 3), t_{0.975, 3} = 3.182446
    const pooled = poolCosines([0.4, 0.5, 0.6, 0.5], 1);
    expect(pooled.n).toBe(4);
    expect(pooled.mean).toBeCloseTo(0.5, 15);
    expect(pooled.std).toBeCloseTo(Math.sqrt(0.02 / 3), 12);
    expect(pooled.halfWidth).toBeCloseTo((3.182446305 * Math.sqrt(0.02 / 3)) / 2, 8);
    expect(pooled.low! + pooled.halfWidth!).toBeCloseTo(0.5, 12);
    expect(pooled.zeroGradientBatches).toBe(1);
  });

  it("has no interval from one batch", () => {
    expect(poolCosines([0.3])).toMatchObject({ n: 1, mean: 0.3, halfWidth: null, low: null, high: null });
  });
});

describe("pairedCosineDifference", () => {
  it("pools the per-batch differences against the baseline", () => {
    // Differences 0.1, 0.3: mean 0.2, std sqrt(0.02), t_{0.975, 1} = 12.7062
    const difference = pairedCosineDifference([0.6, 0.5], [0.5, 0.2]);
    expect(difference.mean).toBeCloseTo(0.2, 15);
    expect(difference.std).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(difference.halfWidth).toBeCloseTo((12.70620474 * Math.sqrt(0.02)) / Math.SQRT2, 6);
    expect(() => pairedCosineDifference([0.1], [0.1, 0.2])).toThrow(/1 cosines against 2 baseline/);
  });
});
