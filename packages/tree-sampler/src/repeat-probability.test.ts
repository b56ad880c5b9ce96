import { ReasoningTree } from "@ibtpo/ib-score";
import { describe, expect, it } from "vitest";
import { repeatProbabilities } from "./repeat-probability.js";

/**
 * root -> A (pi .5) -> A1 (pi .6, a response ends here)
 * root -> B (two tokens, pi .5 x .5 = .25) -> B1 (pi .9) -> B2 (pi .5, a response ends here)
 * repeat(B1) = .5, repeat(B) = .9 x .5 = .45, repeat(A) = .6,
 * repeat(root) = .5 x .6 + .25 x .45 = .4125; leaves 0.
 */
function handTree() {
  const tree = new ReasoningTree();
  const step = (parent: number, probabilities: number[], first: number) =>
    tree.addStep(parent, { tokens: probabilities.map((_, i) => first + i), logprobs: probabilities.map(Math.log) });
  const a = step(tree.root, [0.5], 10);
  const a1 = step(a, [0.6], 11);
  const b = step(tree.root, [0.5, 0.5], 12);
  const b1 = step(b, [0.9], 14);
  const b2 = step(b1, [0.5], 15);
  tree.addTrajectory(a1, 1);
  tree.addTrajectory(b2, 0);
  return { tree, a, a1, b, b1, b2 };
}

describe("repeatProbabilities", () => {
  it("is the chance a new draw repeats a response of the tree, worked by hand", () => {
    const { tree, a, a1, b, b1, b2 } = handTree();
    const repeat = repeatProbabilities(tree);
    expect(repeat[b1]).toBeCloseTo(0.5, 12);
    expect(repeat[b]).toBeCloseTo(0.45, 12);
    expect(repeat[a]).toBeCloseTo(0.6, 12);
    expect(repeat[tree.root]).toBeCloseTo(0.4125, 12);
    expect([repeat[a1], repeat[b2]]).toEqual([0, 0]);
  });

  it("counts a response that ends at an inner step as repeated there", () => {
    const { tree, b1 } = handTree();
    const b3 = tree.addStep(b1, { tokens: [20], logprobs: [Math.log(0.25)] });
    tree.addTrajectory(b3, 1);
    // B1 now has both of its drawn continuations: .5 + .25.
    expect(repeatProbabilities(tree)[b1]).toBeCloseTo(0.75, 12);
  });

  it("is unknown (NaN) above a step without log-probs", () => {
    const { tree, b, b1 } = handTree();
    const bare = tree.addStep(b, { tokens: [30], logprobs: null });
    tree.addTrajectory(bare, 0);
    const repeat = repeatProbabilities(tree);
    expect(Number.isNaN(repeat[b] as number)).toBe(true);
    expect(Number.isNaN(repeat[tree.root] as number)).toBe(true);
    expect(repeat[b1]).toBeCloseTo(0.5, 12);
  });

  it("never exceeds 1", () => {
    const tree = new ReasoningTree();
    const a = tree.addStep(tree.root, { tokens: [1], logprobs: [0] });
    tree.addTrajectory(a, 1);
    expect(repeatProbabilities(tree)[tree.root]).toBe(1);
  });
});
