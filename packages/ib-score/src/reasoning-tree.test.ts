import { describe, expect, it } from "vitest";
import { IbScoreInputError } from "./errors.js";
import { ReasoningTree } from "./reasoning-tree.js";

const step = (tokens: number[], logprob = -0.5) => ({ tokens, logprobs: tokens.map(() => logprob) });

describe("ReasoningTree", () => {
  it("counts trajectories and rewards on every node of the path", () => {
    const tree = new ReasoningTree({ promptId: "q" });
    const a = tree.addStep(tree.root, step([1, 2]));
    const b = tree.addStep(a, step([3]));
    const c = tree.addStep(a, step([4]));
    tree.addTrajectory(b, 1);
    tree.addTrajectory(c, 0);
    tree.addTrajectory(c, 0.5, { truncated: true });
    expect(tree.size).toBe(4);
    expect([
      tree.trajectoryCount(tree.root),
      tree.trajectoryCount(a),
      tree.trajectoryCount(b),
      tree.trajectoryCount(c),
    ]).toEqual([3, 3, 1, 2]);
    expect([tree.rewardSum(a), tree.rewardSum(b), tree.rewardSum(c)]).toEqual([1.5, 1, 0.5]);
    expect(tree.endingRewards(c)).toEqual([0, 0.5]);
    expect(tree.truncatedTrajectories).toBe(1);
    expect(tree.children(a)).toEqual([b, c]);
    expect(tree.depth(c)).toBe(2);
    expect(Array.from(tree.pathTokens(c))).toEqual([1, 2, 4]);
    expect(tree.hasRewardVariance).toBe(true);
  });

  it("merges equal steps at a parent, counts draws and keeps the mean log-probs and entropies", () => {
    const tree = new ReasoningTree();
    const first = tree.addStep(tree.root, { tokens: [7, 8], logprobs: [-1, -2], entropies: [1, 1] });
    const second = tree.addStep(tree.root, { tokens: [7, 8], logprobs: [-3, -2], entropies: [2, 0] });
    expect(second).toBe(first);
    expect(tree.multiplicity(first)).toBe(2);
    expect(tree.childCount(tree.root)).toBe(1);
    expect(Array.from(tree.logprobs(first))).toEqual([-2, -2]);
    expect(Array.from(tree.entropies(first) ?? [])).toEqual([1.5, 0.5]);
    expect(tree.stepSurprisalSum(first)).toBe(4);
    expect(tree.stepEntropySum(first)).toBe(2);
  });

  it("does not merge steps that differ in any token or in length", () => {
    const tree = new ReasoningTree();
    tree.addStep(tree.root, step([1, 2]));
    tree.addStep(tree.root, step([1, 3]));
    tree.addStep(tree.root, step([1]));
    expect(tree.childCount(tree.root)).toBe(3);
  });

  it("has no reward variance with a single trajectory or equal rewards", () => {
    const tree = new ReasoningTree();
    const a = tree.addStep(tree.root, step([1]));
    tree.addTrajectory(a, 1);
    expect(tree.hasRewardVariance).toBe(false);
    tree.addTrajectory(a, 1);
    expect(tree.hasRewardVariance).toBe(false);
  });

  it.each([
    ["a step with zero tokens", { tokens: [], logprobs: [] }, /at least one token/],
    ["a positive log-prob", { tokens: [1], logprobs: [0.1] }, /logprob 0 is 0.1/],
    ["a NaN log-prob", { tokens: [1], logprobs: [Number.NaN] }, /logprob 0 is NaN/],
    ["mismatched log-probs", { tokens: [1, 2], logprobs: [-1] }, /logprobs has length 1, tokens has length 2/],
    ["mismatched entropies", { tokens: [1], logprobs: [-1], entropies: [1, 2] }, /entropies has length 2/],
    ["a negative entropy", { tokens: [1], logprobs: [-1], entropies: [-1] }, /entropy 0 is -1/],
    ["a NaN entropy", { tokens: [1], logprobs: [-1], entropies: [Number.NaN] }, /entropy 0 is NaN/],
    ["a fractional token", { tokens: [1.5], logprobs: [-1] }, /token 0 is 1.5/],
  ])("rejects %s, naming it", (_name, input, message) => {
    const tree = new ReasoningTree();
    expect(() => tree.addStep(tree.root, input)).toThrow(message);
    expect(() => tree.addStep(tree.root, input)).toThrow(IbScoreInputError);
  });

  it("rejects rewards outside [0, 1] and NaN rewards", () => {
    const tree = new ReasoningTree();
    const a = tree.addStep(tree.root, step([1]));
    expect(() => tree.addTrajectory(a, 1.5)).toThrow(/reward must be a number in \[0, 1\], got 1.5/);
    expect(() => tree.addTrajectory(a, -0.1)).toThrow(/got -0.1/);
    expect(() => tree.addTrajectory(a, Number.NaN)).toThrow(/got NaN/);
    expect(tree.trajectories).toBe(0);
  });

  it("rejects unknown parents and leaves", () => {
    const tree = new ReasoningTree();
    expect(() => tree.addStep(3, step([1]))).toThrow(/parent 3 is not a node of this tree/);
    expect(() => tree.addTrajectory(1, 1)).toThrow(/leaf 1 is not a node/);
  });

  it("grows past its initial capacity without losing data", () => {
    const tree = new ReasoningTree();
    let node = tree.root;
    for (let i = 0; i < 100; i++)
      node = tree.addStep(node, { tokens: [i, i + 1], logprobs: [-i / 100, -0.5], entropies: [i, 1] });
    tree.addTrajectory(node, 1);
    expect(tree.size).toBe(101);
    expect(Array.from(tree.tokens(57))).toEqual([56, 57]);
    expect(Array.from(tree.entropies(57) ?? [])).toEqual([56, 1]);
    expect(tree.trajectoryCount(1)).toBe(1);
    expect(tree.depth(node)).toBe(100);
  });

  it("isInstance recognises its errors", () => {
    expect(IbScoreInputError.isInstance(new IbScoreInputError("x", "here"))).toBe(true);
    expect(IbScoreInputError.isInstance(new Error("x"))).toBe(false);
    expect(new IbScoreInputError("bad", "file:3").message).toBe("file:3: bad");
  });
});
