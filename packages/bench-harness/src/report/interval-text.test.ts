import { describe, expect, it } from "vitest";
import { meanConfidenceInterval } from "../comparison/confidence-interval.js";
import { formatMeanInterval } from "./interval-text.js";

describe("formatMeanInterval", () => {
  it("gives the mean and both bounds with three decimals by default", () => {
    expect(formatMeanInterval({ mean: 0.231, low: 0.201, high: 0.261 })).toBe("0.231 [0.201, 0.261]");
  });

  it("rounds every number to the digits asked for", () => {
    const interval = { mean: 50.04, low: 48.96, high: 51.15 };
    expect(formatMeanInterval(interval, { digits: 1 })).toBe("50.0 [49.0, 51.1]");
    expect(formatMeanInterval(interval, { digits: 0 })).toBe("50 [49, 51]");
    expect(formatMeanInterval({ mean: 1.2345, low: 1.1, high: 1.3 }, { digits: 2 })).toBe("1.23 [1.10, 1.30]");
  });

  it("prints a t interval from meanConfidenceInterval", () => {
    // mean 0.3, half-width 4.30265 * 0.1 / sqrt(3) = 0.2484
    expect(formatMeanInterval(meanConfidenceInterval([0.2, 0.3, 0.4]))).toBe("0.300 [0.052, 0.548]");
  });

  it("signs every number that is not negative when signed", () => {
    expect(formatMeanInterval({ mean: 0.027, low: -0.014, high: 0.067 }, { signed: true })).toBe(
      "+0.027 [-0.014, +0.067]",
    );
    expect(formatMeanInterval({ mean: -0.02, low: -0.05, high: 0.01 }, { signed: true })).toBe(
      "-0.020 [-0.050, +0.010]",
    );
    // Zero counts as not negative; a small negative value keeps its minus after rounding.
    expect(formatMeanInterval({ mean: 0, low: -0.0001, high: 0.0001 }, { signed: true })).toBe(
      "+0.000 [-0.000, +0.000]",
    );
  });

  it("leaves negative numbers alone without signed", () => {
    expect(formatMeanInterval({ mean: 0.01, low: -0.02, high: 0.04 })).toBe("0.010 [-0.020, 0.040]");
  });

  it("gives the mean alone when there are no bounds", () => {
    expect(formatMeanInterval(meanConfidenceInterval([0.5]))).toBe("0.500");
    expect(formatMeanInterval({ mean: 0.5 })).toBe("0.500");
    expect(formatMeanInterval({ mean: 0.05, low: null, high: null }, { signed: true, digits: 2 })).toBe("+0.05");
  });

  it("gives the missing marker for an absent interval", () => {
    expect(formatMeanInterval(undefined)).toBe("-");
    expect(formatMeanInterval(null)).toBe("-");
    expect(formatMeanInterval(undefined, { missing: "n/a" })).toBe("n/a");
    expect(formatMeanInterval(null, { missing: "–", boundsOnly: true })).toBe("–");
  });

  it("shows absent bounds as missingBound between the brackets when it is set", () => {
    expect(formatMeanInterval({ mean: 0.5, low: null, high: null }, { missingBound: "-" })).toBe("0.500 [-, -]");
    expect(formatMeanInterval({ mean: 0.5 }, { missingBound: "n/a", signed: true })).toBe("+0.500 [n/a, n/a]");
    expect(formatMeanInterval({ mean: 0.5, low: 0.4, high: null }, { missingBound: "-" })).toBe("0.500 [0.400, -]");
    // With bounds present it changes nothing.
    expect(formatMeanInterval({ mean: 0.5, low: 0.4, high: 0.6 }, { missingBound: "-" })).toBe("0.500 [0.400, 0.600]");
  });

  it("gives only the bounds when boundsOnly, and the missing marker when there are none", () => {
    expect(formatMeanInterval({ mean: 0.5, low: 0.4, high: 0.6 }, { boundsOnly: true })).toBe("[0.400, 0.600]");
    expect(formatMeanInterval({ mean: 0.5, low: -0.1, high: 0.2 }, { boundsOnly: true, signed: true })).toBe(
      "[-0.100, +0.200]",
    );
    expect(formatMeanInterval({ mean: 0.5, low: null, high: null }, { boundsOnly: true })).toBe("-");
    expect(formatMeanInterval({ mean: 0.5, low: null, high: null }, { boundsOnly: true, missing: "–" })).toBe("–");
    expect(formatMeanInterval({ mean: 0.5, low: null, high: null }, { boundsOnly: true, missingBound: "n/a" })).toBe(
      "[n/a, n/a]",
    );
  });
});
