import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { paddedCells, similarLengthGroups } from "./similar-length-groups.js";
import type { TrainingSequence } from "./training-batch.js";

/** A row with only the lengths set: grouping reads nothing else. */
function row(promptLength: number, responseLength: number): TrainingSequence {
  return {
    groupIndex: 0,
    promptId: "p",
    promptTokens: new Int32Array(promptLength),
    tokens: new Int32Array(responseLength),
    oldLogprobs: new Float64Array(responseLength),
    advantages: new Float64Array(responseLength),
    trainWeights: new Float64Array(responseLength).fill(1),
    tokenNodes: new Int32Array(responseLength).fill(-1),
    trajectories: 1,
    reward: 0,
  };
}

const cellsOf = (rows: readonly TrainingSequence[], groups: readonly number[][]) =>
  groups.reduce((sum, group) => sum + paddedCells(group.map((index) => rows[index]!)), 0);

/** Every way to put `count` rows into `groups` non-empty groups of at most `size` rows. */
function allSplits(count: number, groups: number, size: number): number[][][] {
  const splits: number[][][] = [];
  const place = (index: number, current: number[][]) => {
    if (index === count) {
      if (current.length === groups) splits.push(current.map((group) => [...group]));
      return;
    }
    for (const group of current) {
      if (group.length < size) {
        group.push(index);
        place(index + 1, current);
        group.pop();
      }
    }
    if (current.length < groups) place(index + 1, [...current, [index]]);
  };
  place(0, []);
  return splits;
}

describe("paddedCells", () => {
  it("counts rows times the longest prompt plus the longest response (worked by hand)", () => {
    expect(paddedCells([row(10, 6), row(9, 15), row(10, 7)])).toBe(3 * (10 + 15));
    expect(paddedCells([])).toBe(0);
  });
});

describe("similarLengthGroups", () => {
  it("puts short responses with short ones (worked by hand)", () => {
    const rows = [row(10, 6), row(10, 15), row(10, 7), row(10, 14)];
    expect(similarLengthGroups(rows, 2)).toEqual([
      [0, 2],
      [1, 3],
    ]);
    // In batch order both halves pad to 15: 2 x 25 + 2 x 25 = 100 cells; grouped, 2 x 17 + 2 x 25.
    expect(cellsOf(rows, similarLengthGroups(rows, 2))).toBe(84);
  });

  it("keeps batch order when everything fits in one group, and gives nothing for no rows", () => {
    const rows = [row(3, 9), row(4, 1), row(2, 5)];
    expect(similarLengthGroups(rows, 3)).toEqual([[0, 1, 2]]);
    expect(similarLengthGroups([], 4)).toEqual([]);
    expect(() => similarLengthGroups(rows, 0)).toThrow("micro-batch size: must be a positive integer");
  });

  it("splits every row once into ceil(n / size) groups of at most size rows, each in batch order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 30 })), { maxLength: 60 }),
        fc.integer({ min: 1, max: 9 }),
        (lengths, size) => {
          const rows = lengths.map(([prompt, response]) => row(prompt, response));
          const groups = similarLengthGroups(rows, size);
          expect(groups).toHaveLength(Math.ceil(rows.length / size));
          for (const group of groups) {
            expect(group.length).toBeGreaterThan(0);
            expect(group.length).toBeLessThanOrEqual(size);
            expect(group).toEqual([...group].sort((a, b) => a - b));
          }
          expect(groups.flat().sort((a, b) => a - b)).toEqual(rows.map((_, index) => index));
          // The same lengths always split alike.
          expect(similarLengthGroups(rows, size)).toEqual(groups);
        },
      ),
    );
  });

  it("pads no more than any split of equal-prompt rows into as many groups (exhaustive on small batches)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 10 }),
        (responses, size, prompt) => {
          const rows = responses.map((response) => row(prompt, response));
          const groups = Math.ceil(rows.length / size);
          const least = Math.min(...allSplits(rows.length, groups, size).map((split) => cellsOf(rows, split)));
          expect(cellsOf(rows, similarLengthGroups(rows, size))).toBe(least);
        },
      ),
    );
  });
});
