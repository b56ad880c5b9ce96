import { describe, expect, it } from "vitest";
import { assertDisjoint, sampleProblems, splitOf } from "./splits.js";
import { createSortSwapsTask } from "./tasks/sort-swaps.js";

describe("splitOf", () => {
  it("assigns splits in roughly the requested shares", () => {
    const counts = { train: 0, validation: 0, test: 0 };
    for (let i = 0; i < 10000; i++) counts[splitOf("t", `problem ${i}`)]++;
    expect(counts.train / 10000).toBeCloseTo(0.8, 1);
    expect(counts.validation / 10000).toBeCloseTo(0.1, 1);
    expect(counts.test / 10000).toBeCloseTo(0.1, 1);
  });

  it("rejects fractions that do not sum to 1", () => {
    expect(() => splitOf("t", "x", { train: 0.5, validation: 0.1, test: 0.1 })).toThrow(/sum to 1/);
  });
});

describe("sampleProblems", () => {
  it("says so when the problem space is too small", () => {
    const tiny = createSortSwapsTask({ length: 3, minSwaps: 2 });
    expect(() => sampleProblems(tiny, { split: "test", count: 50 })).toThrow(/found only \d+ distinct test problems/);
  });
});

describe("assertDisjoint", () => {
  it("names the prompt and both lists when they overlap", () => {
    expect(() => assertDisjoint({ train: [{ prompt: "a" }, { prompt: "b" }], test: [{ prompt: "b" }] })).toThrow(
      'splits overlap: prompt "b" is in both "train" and "test"',
    );
  });
});
