import { ReasoningTree } from "@ibtpo/ib-score";
import { describe, expect, it } from "vitest";
import { trainingPreset } from "./presets.js";
import { zeroVarianceFilter, zeroVarianceFilterTrees } from "./zero-variance-filter.js";

describe("zeroVarianceFilter", () => {
  it("keeps only the groups whose rewards differ", () => {
    const result = zeroVarianceFilter([1, 1, 0, 1, 0, 0, 0.5], [2, 2, 2, 1]);
    expect(Array.from(result.keptGroups)).toEqual([1]);
    expect(Array.from(result.droppedGroups)).toEqual([0, 2, 3]);
  });

  it("filters trees by their trajectory reward variance", () => {
    const mixed = new ReasoningTree({ promptId: "mixed" });
    mixed.addTrajectory(mixed.addStep(0, { tokens: [1], logprobs: [-1] }), 1);
    mixed.addTrajectory(mixed.addStep(0, { tokens: [2], logprobs: [-1] }), 0);
    const solved = new ReasoningTree({ promptId: "solved" });
    solved.addTrajectory(solved.addStep(0, { tokens: [1], logprobs: [-1] }), 1);
    solved.addTrajectory(solved.addStep(0, { tokens: [2], logprobs: [-1] }), 1);
    const result = zeroVarianceFilterTrees([solved, mixed]);
    expect(Array.from(result.keptGroups)).toEqual([1]);
    expect(Array.from(result.droppedGroups)).toEqual([0]);
  });

  it("is what the dapo preset switches on, under a name that says it drops without refilling", () => {
    expect(trainingPreset("dapo").dropZeroVarianceGroups).toBe(true);
    expect(trainingPreset("grpo").dropZeroVarianceGroups).toBe(false);
    expect(trainingPreset("grpo", { dropZeroVarianceGroups: true }).dynamicSampling).toBe(true);
  });
});
