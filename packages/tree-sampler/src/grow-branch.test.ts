import { ReasoningTree } from "@ibtpo/ib-score";
import { describe, expect, it } from "vitest";
import { forkKey, prepareFork } from "./fork-point.js";
import { growBranch } from "./grow-branch.js";
import type { Generation } from "./policy.js";
import { delimiterSegmenter, functionSegmenter } from "./segmenter.js";

const newline = delimiterSegmenter([1]);

function generation(tokens: number[], finishReason: Generation["finishReason"] = "eos"): Generation {
  return {
    tokens: Int32Array.from(tokens),
    logprobs: Float64Array.from(tokens, (_, i) => -(i + 1) / 10),
    entropies: Float64Array.from(tokens, () => 0.5),
    finishReason,
  };
}

/** root -> A = [5, 6, 1] -> B = [7, 0] */
function chainTree() {
  const tree = new ReasoningTree();
  const a = tree.addStep(tree.root, { tokens: [5, 6, 1], logprobs: [-1, -2, -3], entropies: [1, 2, 3] });
  const b = tree.addStep(a, { tokens: [7, 0], logprobs: [-0.5, -0.25], entropies: [0.1, 0.2] });
  tree.addTrajectory(b, 1);
  return { tree, a, b };
}

describe("prepareFork", () => {
  it("continues after a whole step, or inside it with the head kept", () => {
    const { tree, a } = chainTree();
    const after = prepareFork(tree, { node: a }, "test");
    expect(after.attachTo).toBe(a);
    expect(Array.from(after.responsePrefix.tokens)).toEqual([5, 6, 1]);
    const inside = prepareFork(tree, { node: a, offset: 2 }, "test");
    expect(inside.attachTo).toBe(tree.root);
    expect(Array.from(inside.head.tokens)).toEqual([5, 6]);
    expect(Array.from(inside.head.logprobs)).toEqual([-1, -2]);
    expect(Array.from(inside.responsePrefix.entropies ?? [])).toEqual([1, 2]);
  });

  it("treats offset 0 as a fork after the parent", () => {
    const { tree, a, b } = chainTree();
    expect(forkKey(tree, { node: a, offset: 0 })).toBe(forkKey(tree, { node: tree.root }));
    expect(forkKey(tree, { node: b, offset: 0 })).toBe(forkKey(tree, { node: a }));
    expect(forkKey(tree, { node: b, offset: 1 })).not.toBe(forkKey(tree, { node: a }));
  });

  it("rejects nodes and offsets outside the tree", () => {
    const { tree, a } = chainTree();
    expect(() => prepareFork(tree, { node: 9 }, "fork 0")).toThrow(/fork 0: fork node 9/);
    expect(() => prepareFork(tree, { node: a, offset: 4 }, "fork 1")).toThrow(/offset 4 is outside \[0, 3\]/);
  });
});

describe("growBranch", () => {
  it("adds a forked step as head + new tail under the step's parent, head log-probs copied", () => {
    const { tree, a } = chainTree();
    const fork = prepareFork(tree, { node: a, offset: 2 }, "test");
    const { leaf, response } = growBranch(tree, fork, generation([8, 1, 9, 0]), newline, Number.POSITIVE_INFINITY);
    const forked = tree.parent(leaf);
    expect(tree.parent(forked)).toBe(tree.root);
    expect(Array.from(tree.tokens(forked))).toEqual([5, 6, 8, 1]);
    expect(Array.from(tree.logprobs(forked))).toEqual([-1, -2, -0.1, -0.2]);
    expect(Array.from(tree.entropies(forked) ?? [])).toEqual([1, 2, 0.5, 0.5]);
    expect(Array.from(tree.tokens(leaf))).toEqual([9, 0]);
    expect(Array.from(response.tokens)).toEqual([5, 6, 8, 1, 9, 0]);
    expect(tree.childCount(tree.root)).toBe(2);
  });

  it("merges a continuation equal to the existing steps", () => {
    const { tree, a, b } = chainTree();
    const fork = prepareFork(tree, { node: a, offset: 2 }, "test");
    const { leaf } = growBranch(tree, fork, generation([1, 7, 0]), newline, Number.POSITIVE_INFINITY);
    expect(leaf).toBe(b);
    expect(tree.multiplicity(a)).toBe(2);
    expect(tree.multiplicity(b)).toBe(2);
    expect(tree.size).toBe(3);
  });

  it("ignores a segmenter's cuts inside the forked step's head", () => {
    // Cuts after a 6 that is followed by an 8: [5, 6, 7] is one step, but [5, 6, 8, ...] would be cut after 6.
    const sentence = functionSegmenter("six-eight", (tokens) => {
      const ends = [];
      for (let i = 0; i + 1 < tokens.length; i++) if (tokens[i] === 6 && tokens[i + 1] === 8) ends.push(i + 1);
      return [...ends, tokens.length];
    });
    const tree = new ReasoningTree();
    const a = tree.addStep(tree.root, { tokens: [5, 6, 7], logprobs: [-1, -1, -1] });
    tree.addTrajectory(a, 0);
    const fork = prepareFork(tree, { node: a, offset: 2 }, "test");
    const { leaf } = growBranch(tree, fork, generation([8, 0]), sentence, Number.POSITIVE_INFINITY);
    expect(tree.parent(leaf)).toBe(tree.root);
    expect(Array.from(tree.tokens(leaf))).toEqual([5, 6, 8, 0]);
  });

  it("joins steps beyond the maximum depth into the last allowed step", () => {
    const tree = new ReasoningTree();
    const fork = prepareFork(tree, { node: tree.root }, "test");
    const { leaf } = growBranch(tree, fork, generation([4, 1, 5, 1, 6, 1, 7, 0]), newline, 2);
    expect(tree.depth(leaf)).toBe(2);
    expect(Array.from(tree.tokens(leaf))).toEqual([5, 1, 6, 1, 7, 0]);
  });
});
