import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { paperNodeScore, relativeValueGain, valueRatio } from "./paper-score.js";
import { buildPrefixTree, type ResponseInput } from "./prefix-tree.js";
import { ReasoningTree } from "./reasoning-tree.js";
import { stepProbability } from "./step-probability.js";

describe("relativeValueGain", () => {
  it("is v(c) / v(parent) with raw values, and 1 when v(parent) = 0", () => {
    const tree = new ReasoningTree();
    const a = tree.addStep(tree.root, { tokens: [1], logprobs: [-1] });
    const b = tree.addStep(tree.root, { tokens: [2], logprobs: [-1] });
    tree.addTrajectory(a, 1);
    tree.addTrajectory(b, 0);
    tree.addTrajectory(b, 0.5);
    // v(root) = 1.5 / 3 = 0.5, v(a) = 1, v(b) = 0.25
    expect(relativeValueGain(tree, a)).toBe(2);
    expect(relativeValueGain(tree, b)).toBe(0.5);
    const zero = new ReasoningTree();
    const c = zero.addStep(zero.root, { tokens: [1], logprobs: [-1] });
    zero.addTrajectory(c, 0);
    expect(relativeValueGain(zero, c)).toBe(1);
  });

  it("is NaN for the root and for a child without a finished trajectory", () => {
    const tree = new ReasoningTree();
    const a = tree.addStep(tree.root, { tokens: [1], logprobs: [-1] });
    expect(relativeValueGain(tree, a)).toBeNaN();
    expect(relativeValueGain(tree, tree.root)).toBeNaN();
  });
});

describe("valueRatio", () => {
  it("divides the child's value by the parent's, and is 1 when the parent's is 0", () => {
    expect(valueRatio(0.5, 0.25)).toBe(2);
    expect(valueRatio(0, 0.5)).toBe(0);
    expect(valueRatio(0, 0)).toBe(1);
  });
});

describe("paperNodeScore on hand-worked trees", () => {
  it("gives r = 1 for every child when v(n) = 0", () => {
    const tree = new ReasoningTree();
    const a = tree.addStep(tree.root, { tokens: [1, 2], logprobs: [-0.2, -0.4] });
    const b = tree.addStep(tree.root, { tokens: [3], logprobs: [-0.1] });
    tree.addTrajectory(a, 0);
    tree.addTrajectory(b, 0);
    // beta 5: eta1 = 1 - 1.2 = -0.2 for both; pi(a) = exp(-0.3), pi(b) = exp(-0.1).
    const score = paperNodeScore(tree, tree.root);
    const pbar = (Math.exp(-0.3) + Math.exp(-0.1)) / 2;
    expect(score?.draws).toBe(2);
    expect(score?.confidence).toBeCloseTo(pbar, 15);
    expect(score?.ibScore).toBeCloseTo(6 * -0.2 * pbar, 14);
    expect(score?.cov).toBeCloseTo(0, 15); // eta1 is constant
  });

  it("gives J = -(1 + beta) pi(c) / beta for a single child", () => {
    const tree = new ReasoningTree();
    const a = tree.addStep(tree.root, { tokens: [1, 2], logprobs: [-0.5, -1.5] });
    const b = tree.addStep(a, { tokens: [3], logprobs: [-0.7] });
    tree.addTrajectory(b, 1);
    tree.addTrajectory(b, 0);
    for (const [beta, mode, pi] of [
      [5, "geometric", Math.exp(-1)],
      [2, "product", Math.exp(-2)],
    ] as const) {
      const score = paperNodeScore(tree, tree.root, { beta, stepProbability: mode });
      expect(score?.ibScore).toBeCloseTo((-(1 + beta) * pi) / beta, 15);
      expect(score?.cov).toBeCloseTo(0, 15);
      expect(score?.confidence).toBeCloseTo(pi, 15);
      expect(score?.draws).toBe(1);
    }
    expect(paperNodeScore(tree, a)?.ibScore).toBeCloseTo(-1.2 * Math.exp(-0.7), 15);
  });

  it("weights merged children by their draws", () => {
    // Root draws a twice (rewards 1, 1; log-probs -0.1 and -0.3 -> mean -0.2) and b once (reward 0).
    const tree = new ReasoningTree();
    const a = tree.addStep(tree.root, { tokens: [1], logprobs: [-0.1] });
    tree.addStep(tree.root, { tokens: [1], logprobs: [-0.3] });
    const b = tree.addStep(tree.root, { tokens: [2, 3], logprobs: [-0.2, -0.3] });
    tree.addTrajectory(a, 1);
    tree.addTrajectory(a, 1);
    tree.addTrajectory(b, 0);
    // v(root) = 2/3, r(a) = 1.5, r(b) = 0; beta 2: eta1(a) = 0, eta1(b) = -1.5.
    // product: pi(a) = exp(-0.2), pi(b) = exp(-0.5).
    const score = paperNodeScore(tree, tree.root, { beta: 2, stepProbability: "product" });
    const pa = Math.exp(-0.2);
    const pb = Math.exp(-0.5);
    const pbar = (2 * pa + pb) / 3;
    expect(score?.draws).toBe(3);
    expect(score?.confidence).toBeCloseTo(pbar, 15);
    expect(score?.ibScore).toBeCloseTo((3 * (-1.5 * pb)) / 3, 15);
    expect(score?.cov).toBeCloseTo((-1.5 * pb) / 3 - (-1.5 / 3) * pbar, 15);
  });

  it("is null at a leaf, and leaves out children without a finished trajectory", () => {
    const tree = new ReasoningTree();
    const a = tree.addStep(tree.root, { tokens: [1], logprobs: [-1] });
    tree.addStep(tree.root, { tokens: [2], logprobs: [-2] });
    expect(paperNodeScore(tree, tree.root)).toBeNull();
    tree.addTrajectory(a, 1);
    expect(paperNodeScore(tree, a)).toBeNull();
    const score = paperNodeScore(tree, tree.root);
    expect(score?.draws).toBe(1);
    expect(score?.confidence).toBeCloseTo(Math.exp(-1), 15);
  });

  it("rejects a beta that is not a positive finite number, naming the option", () => {
    const tree = new ReasoningTree();
    expect(() => paperNodeScore(tree, tree.root, { beta: 0 })).toThrow(/option beta: beta must be a finite number > 0/);
    expect(() => paperNodeScore(tree, tree.root, { stepProbability: "mean" as "product" })).toThrow(
      /option stepProbability/,
    );
  });
});

const responseArbitrary = fc.record({
  steps: fc.array(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 2 }), {
    minLength: 1,
    maxLength: 4,
  }),
  logprob: fc.double({ min: -4, max: 0, noNaN: true }),
  reward: fc.constantFrom(0, 1, 0.25),
});

const toResponse = (r: { steps: number[][]; logprob: number; reward: number }): ResponseInput => {
  const tokens = r.steps.flat();
  let end = 0;
  return {
    tokens,
    logprobs: tokens.map((_, i) => r.logprob / (i + 1)),
    stepEnds: r.steps.map((s) => {
      end += s.length;
      return end;
    }),
    reward: r.reward,
  };
};

describe("paperNodeScore properties", () => {
  it("satisfies J = (1 + beta)(Cov + mean(eta1) pbar) and B = traj(n) - endings(n) in a prefix tree", () => {
    fc.assert(
      fc.property(
        fc.array(responseArbitrary, { minLength: 1, maxLength: 12 }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.constantFrom("geometric" as const, "product" as const),
        (group, beta, mode) => {
          const tree = buildPrefixTree("q", group.map(toResponse));
          for (let node = 0; node < tree.size; node++) {
            const score = paperNodeScore(tree, node, { beta, stepProbability: mode });
            const children = tree.children(node);
            if (children.length === 0) {
              expect(score).toBeNull();
              continue;
            }
            if (score === null) throw new Error("expected a score at an internal node");
            let meanEta1 = 0;
            for (const c of children) {
              meanEta1 += (tree.multiplicity(c) * (relativeValueGain(tree, c) - 1 - 1 / beta)) / score.draws;
            }
            expect(score.ibScore).toBeCloseTo((1 + beta) * (score.cov + meanEta1 * score.confidence), 9);
            expect(score.draws).toBe(children.reduce((sum, c) => sum + tree.multiplicity(c), 0));
            // Every response through n that does not end at n made one draw at n.
            expect(score.draws).toBe(tree.trajectoryCount(node) - tree.endingCount(node));
            const pis = children.map((c) => stepProbability(tree, c, mode));
            expect(score.confidence).toBeGreaterThanOrEqual(Math.min(...pis) - 1e-15);
            expect(score.confidence).toBeLessThanOrEqual(Math.max(...pis) + 1e-15);
          }
        },
      ),
    );
  });
});
