import { Mulberry32 } from "@ibtpo/random";
import { describe, expect, it } from "vitest";
import { assertDisjoint, sampleProblems } from "../splits.js";
import { firstUncovered } from "../vocabulary.js";
import { BUILTIN_TASK_NAMES, createBuiltinTask } from "./registry.js";

describe.each(BUILTIN_TASK_NAMES)("built-in task %s", (name) => {
  const task = createBuiltinTask(name);
  const train = sampleProblems(task, { split: "train", count: 400, seed: 1 });
  const validation = sampleProblems(task, { split: "validation", count: 100, seed: 2 });
  const test = sampleProblems(task, { split: "test", count: 100, seed: 3 });

  it("keeps train, validation and test disjoint", () => {
    expect(() => assertDisjoint({ train, validation, test })).not.toThrow();
    const prompts = new Set([...train, ...validation, ...test].map((problem) => problem.prompt));
    expect(prompts.size).toBe(train.length + validation.length + test.length);
  });

  it("generates the same problems from the same seed", () => {
    expect(sampleProblems(task, { split: "test", count: 20, seed: 3 })).toEqual(test.slice(0, 20));
    expect(task.generate(99)).toEqual(task.generate(99));
  });

  it("solves every problem with its reference solver", () => {
    for (const problem of test) {
      const solution = task.solve(problem);
      expect(solution, problem.prompt).not.toBeNull();
      expect(task.verify(problem, solution as string), problem.prompt + solution).toEqual({
        reward: 1,
        answer: problem.answer,
        wellFormed: true,
      });
    }
  });

  it("produces well-formed legal random trajectories, some solving and some not", () => {
    const random = new Mulberry32(5);
    const rewards = test.map((problem) => {
      const response = task.randomTrajectory(problem, random);
      const verdict = task.verify(problem, response);
      expect(verdict.wellFormed, problem.prompt + response).toBe(true);
      return verdict.reward;
    });
    expect(rewards.some((reward) => reward === 1)).toBe(true);
    expect(rewards.some((reward) => reward === 0)).toBe(true);
  });

  it("covers prompts and responses with a small vocabulary and fits the context", () => {
    expect(task.vocabulary.length).toBeLessThanOrEqual(48);
    const random = new Mulberry32(6);
    for (const problem of [...train.slice(0, 100), ...test]) {
      for (const response of [task.randomTrajectory(problem, random), task.solve(problem) as string]) {
        expect(firstUncovered(task.vocabulary, problem.prompt + response)).toBe(-1);
        expect(response.length).toBeLessThanOrEqual(task.maxResponseSymbols);
        expect(problem.prompt.length + response.length).toBeLessThanOrEqual(96);
      }
    }
  });

  it("ends every prompt with the step delimiter", () => {
    expect(test.every((problem) => problem.prompt.endsWith(task.stepDelimiter))).toBe(true);
  });
});

describe("createBuiltinTask", () => {
  it("rejects an unknown name and out-of-range knobs", () => {
    expect(() => createBuiltinTask("chess" as "countdown")).toThrow(/unknown task "chess"/);
    expect(() => createBuiltinTask("graph-path", { nodes: 40 })).toThrow(/"nodes" must be an integer in \[4, 16\]/);
  });
});
