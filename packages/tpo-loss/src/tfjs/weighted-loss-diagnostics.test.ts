import { describe, expect, it } from "vitest";
import type { LossDiagnostics } from "./loss-diagnostics.js";
import { weightedLossDiagnostics } from "./weighted-loss-diagnostics.js";

const first: LossDiagnostics = {
  loss: 1,
  policy: 2,
  clipFraction: 0.5,
  clipFractionHigh: 0.5,
  clipFractionLow: 0,
  dualClipFraction: 0,
  approxKl: 0.25,
  meanEntropy: 1,
  terms: { kl: 0.5 },
};
const second: LossDiagnostics = {
  loss: 3,
  policy: -2,
  clipFraction: 0.25,
  clipFractionHigh: 0,
  clipFractionLow: 0.25,
  dualClipFraction: 0.5,
  approxKl: -0.25,
  meanEntropy: 2,
  terms: { kl: 1, entropy: -2 },
};

describe("weightedLossDiagnostics", () => {
  it("takes the weighted sum of every diagnostic (worked by hand)", () => {
    expect(weightedLossDiagnostics([first, second], [0.75, 0.25])).toEqual({
      loss: 1.5,
      policy: 1,
      clipFraction: 0.4375,
      clipFractionHigh: 0.375,
      clipFractionLow: 0.0625,
      dualClipFraction: 0.125,
      approxKl: 0.125,
      meanEntropy: 1.25,
      terms: { kl: 0.625, entropy: -0.5 },
    });
  });

  it("reports no mean entropy unless every micro-batch has one, and checks the weights", () => {
    expect(weightedLossDiagnostics([first, { ...second, meanEntropy: null }], [0.5, 0.5]).meanEntropy).toBeNull();
    expect(weightedLossDiagnostics([], []).meanEntropy).toBeNull();
    expect(() => weightedLossDiagnostics([first], [0.5, 0.5])).toThrow("weights: has 2 entries for 1 diagnostics");
  });
});
