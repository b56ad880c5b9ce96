import { describe, expect, it } from "vitest";
import { sftExamples } from "./sft-examples.js";
import { sampleProblems } from "./splits.js";
import { createSortSwapsTask } from "./tasks/sort-swaps.js";

const task = createSortSwapsTask();
const train = sampleProblems(task, { split: "train", count: 200, seed: 0 });

describe("sftExamples", () => {
  it("gives legal, well-formed trajectories that mostly do not solve", () => {
    const examples = sftExamples(task, train, { perProblem: 3, seed: 7 });
    expect(examples).toHaveLength(600);
    const verdicts = examples.map((example, index) => task.verify(train[Math.floor(index / 3)]!, example.response));
    expect(verdicts.every((verdict) => verdict.wellFormed)).toBe(true);
    const solved = verdicts.filter((verdict) => verdict.reward === 1).length / verdicts.length;
    expect(solved).toBeGreaterThan(0.01);
    expect(solved).toBeLessThan(0.3);
  });

  it("depends on the seed and on each problem alone, not on its position", () => {
    const all = sftExamples(task, train, { seed: 7 });
    expect(sftExamples(task, train.slice(50, 60), { seed: 7 })).toEqual(all.slice(50, 60));
    expect(sftExamples(task, train, { seed: 8 })).not.toEqual(all);
  });
});
