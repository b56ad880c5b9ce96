import { describe, expect, it } from "vitest";
import { meanConfidenceInterval } from "./confidence-interval.js";
import { studentTCdf, studentTQuantile } from "./student-t.js";

describe("Student's t", () => {
  it.each([
    [1, 12.706204736],
    [2, 4.30265273],
    [4, 2.776445105],
    [9, 2.262157163],
    [30, 2.042272456],
    [1000, 1.962339],
  ])("gives the tabulated 97.5%% quantile for %d degrees of freedom", (degrees, expected) => {
    expect(studentTQuantile(0.975, degrees)).toBeCloseTo(expected, 5);
  });

  it("has the closed-form CDF for one degree of freedom (Cauchy)", () => {
    for (const t of [-3, -0.5, 0, 0.7, 5]) expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
  });

  it("is symmetric", () => {
    expect(studentTQuantile(0.025, 5)).toBeCloseTo(-studentTQuantile(0.975, 5), 10);
  });
});

describe("meanConfidenceInterval", () => {
  it("matches a worked example", () => {
    const interval = meanConfidenceInterval([0.2, 0.3, 0.4]);
    expect(interval.mean).toBeCloseTo(0.3, 14);
    expect(interval.std).toBeCloseTo(0.1, 14);
    expect(interval.halfWidth).toBeCloseTo((4.30265273 * 0.1) / Math.sqrt(3), 8);
  });

  it("has no interval for one value and rejects non-finite values", () => {
    expect(meanConfidenceInterval([0.5])).toEqual({
      n: 1,
      mean: 0.5,
      std: null,
      halfWidth: null,
      low: null,
      high: null,
    });
    expect(() => meanConfidenceInterval([1, Number.NaN])).toThrow(/value 1 is NaN/);
  });
});
