import { describe, expect, it } from "vitest";
import type { ChartRow } from "./chart-rows.js";
import { seedBands, trailingMean } from "./seed-bands.js";

const row = (algorithm: string, seed: string, step: number, accuracy: number | null): ChartRow => ({
  algorithm,
  seed,
  step,
  tokens: 100 * (step + 1),
  accuracy,
});

describe("trailingMean", () => {
  it("averages the last window values, skipping missing ones", () => {
    expect(trailingMean([1, 2, 3, 4], 2)).toEqual([1, 1.5, 2.5, 3.5]);
    expect(trailingMean([1, null, 3, null, 5], 2)).toEqual([1, null, 2, null, 4]);
    expect(trailingMean([4, 8], 1)).toEqual([4, 8]);
  });

  it("rejects a window below 1", () => {
    expect(() => trailingMean([1], 0)).toThrow(/window/);
  });
});

describe("seedBands", () => {
  it("gives the mean over seeds with the t interval, per algorithm and step", () => {
    const rows = [row("a", "1", 0, 0.2), row("a", "2", 0, 0.4), row("a", "1", 1, 0.5), row("b", "1", 0, 0.1)];
    const points = seedBands(rows, "accuracy", 1);
    expect(points.map((point) => [point.algorithm, point.step, point.seeds])).toEqual([
      ["a", 0, 2],
      ["a", 1, 1],
      ["b", 0, 1],
    ]);
    const first = points[0];
    // two seeds: mean 0.3, std 0.1414, t(0.975, 1) = 12.706, half-width 12.706 * 0.1414 / sqrt(2) = 1.2706
    expect(first?.mean).toBeCloseTo(0.3, 12);
    expect(first?.high).toBeCloseTo(0.3 + 1.2706205, 6);
    expect(first?.low).toBeCloseTo(0.3 - 1.2706205, 6);
    expect(points[1]).toMatchObject({ mean: 0.5, low: 0.5, high: 0.5, tokens: 200 });
  });

  it("smooths each run before the mean", () => {
    const rows = [row("a", "1", 0, 0), row("a", "1", 1, 1), row("a", "1", 2, 0)];
    expect(seedBands(rows, "accuracy", 2).map((point) => point.mean)).toEqual([0, 0.5, 0.5]);
  });
});
