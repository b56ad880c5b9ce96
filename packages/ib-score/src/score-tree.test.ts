import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { binaryEntropy } from "./binary-entropy.js";
import { paperNodeScore } from "./paper-score.js";
import { buildPrefixTree, type ResponseInput } from "./prefix-tree.js";
import { ReasoningTree } from "./reasoning-tree.js";
import { scoreTree } from "./score-tree.js";

const response = (steps: number[][], reward: number, entropy?: number): ResponseInput => {
  const tokens = steps.flat();
  let end = 0;
  return {
    tokens,
    logprobs: tokens.map(() => -0.5),
    ...(entropy === undefined ? {} : { entropies: tokens.map(() => entropy) }),
    stepEnds: steps.map((s) => {
      end += s.length;
      return end;
    }),
    reward,
  };
};

describe("scoreTree on hand-worked trees", () => {
  it("gives I = 0 at a node with a single child", () => {
    const tree = buildPrefixTree("q", [response([[1], [2]], 1, 0.7)]);
    const score = scoreTree(tree, { estimator: "shannon" });
    expect(score.nodeI[0]).toBe(0);
    expect(score.nodeH[0]).toBeCloseTo(0.7, 15);
    expect(score.root).toMatchObject({ ibScore: score.nodeH[0], H: score.nodeH[0], I: 0 });
    expect(score.tree).toBeNull();
    expect(score.branchingNodes).toBe(0);
  });

  it("gives I = ln 2 for two children with values 1 and 0 and alpha 0", () => {
    const tree = new ReasoningTree({ promptId: "q" });
    const a = tree.addStep(tree.root, { tokens: [1, 2], logprobs: [-0.1, -0.1], entropies: [1, 3] });
    const b = tree.addStep(tree.root, { tokens: [3], logprobs: [-0.2], entropies: [2] });
    tree.addTrajectory(a, 1);
    tree.addTrajectory(b, 0);
    const score = scoreTree(tree, { estimator: "shannon", alpha: 0, beta: 1 });
    expect(score.nodeI[0]).toBeCloseTo(Math.LN2, 15);
    expect(score.nodeH[0]).toBeCloseTo(2, 15); // token-mean: h(a) = 2, h(b) = 2
    expect(score.tree?.ibScore).toBeCloseTo(2 + Math.LN2, 15);
    expect(scoreTree(tree, { alpha: 0, entropy: "token-sum" }).nodeH[0]).toBeCloseTo(3, 15); // (4 + 2) / 2
    expect(scoreTree(tree, { estimator: "shannon", alpha: 0, beta: 2 }).tree?.ibScore).toBeCloseTo(
      2 + 2 * Math.LN2,
      15,
    );
    expect(score.effective).toBe(true);
    expect(score.byDepth).toEqual([{ depth: 0, scoredNodes: 1, branchingNodes: 1, ...score.tree }]);
  });

  it("weights merged duplicates by their draws", () => {
    // Responses A-B (1), A-B (1), A-C (0): A has multiplicity 3; B has 2 draws, C one.
    const tree = buildPrefixTree("q", [
      response([[5], [6]], 1, 1),
      response([[5], [6]], 1, 1),
      response([[5], [7]], 0, 4),
    ]);
    expect(tree.size).toBe(4);
    expect(tree.multiplicity(1)).toBe(3);
    const exact = scoreTree(tree, { estimator: "shannon", alpha: 0 });
    expect(exact.nodeI[1]).toBeCloseTo(binaryEntropy(2 / 3), 14);
    expect(exact.nodeH[1]).toBeCloseTo((2 / 3) * 1 + (1 / 3) * 4, 14);
    const smoothed = scoreTree(tree, { estimator: "shannon", alpha: 0.5 });
    const vB = 2.5 / 3;
    const vC = 0.5 / 2;
    const vbar = (2 / 3) * vB + (1 / 3) * vC;
    expect(smoothed.value[2]).toBeCloseTo(vB, 15);
    expect(smoothed.nodeI[1]).toBeCloseTo(
      binaryEntropy(vbar) - ((2 / 3) * binaryEntropy(vB) + (1 / 3) * binaryEntropy(vC)),
      14,
    );
    expect(smoothed.nodeI[0]).toBe(0);
    expect(smoothed.branchingNodes).toBe(1);
    expect(smoothed.byDepth.map((d) => d.depth)).toEqual([1]);
  });

  it("falls back to the surprisal when entropies are absent, and says so", () => {
    const tree = buildPrefixTree("q", [response([[1, 2]], 1), response([[3]], 0)]);
    const score = scoreTree(tree);
    expect(score.usedSurprisalFallback).toBe(true);
    expect(score.nodeH[0]).toBeCloseTo(0.5, 15); // every token has log-prob -0.5
    expect(scoreTree(buildPrefixTree("q", [response([[1]], 1, 0.3)])).usedSurprisalFallback).toBe(false);
  });

  it("leaves children without finished trajectories out of I", () => {
    const tree = new ReasoningTree();
    const a = tree.addStep(tree.root, { tokens: [1], logprobs: [-1] });
    tree.addStep(tree.root, { tokens: [2], logprobs: [-1] });
    tree.addTrajectory(a, 1);
    const score = scoreTree(tree, { alpha: 0 });
    expect(score.nodeI[0]).toBe(0);
    expect(score.nodeH[0]).toBe(1);
  });

  it("rejects bad options, naming them", () => {
    const tree = new ReasoningTree();
    expect(() => scoreTree(tree, { beta: Number.NaN })).toThrow(/option beta: beta must be a finite number/);
    expect(() => scoreTree(tree, { alpha: -1 })).toThrow(/option alpha/);
    expect(() => scoreTree(tree, { entropy: "mean" as "token-mean" })).toThrow(/option entropy/);
    expect(() => scoreTree(tree, { estimator: "tsallis" as "paper" })).toThrow(
      "option estimator: estimator must be one of 'paper', 'shannon', got 'tsallis'",
    );
    expect(() => scoreTree(tree, { beta: 0 })).toThrow(
      /option beta: beta must be a finite number > 0 in the paper form/,
    );
    expect(scoreTree(tree, { estimator: "shannon", beta: 0 }).options.beta).toBe(0);
  });
});

describe("scoreTree in the paper form (the default)", () => {
  // Root -> a (drawn 3 times) -> {b (2 draws, rewards 1, 1), c (1 draw, reward 0)}; root -> d (reward 0).
  const tree = new ReasoningTree({ promptId: "q" });
  const a = tree.addStep(tree.root, { tokens: [1], logprobs: [-0.1] });
  tree.addStep(tree.root, { tokens: [1], logprobs: [-0.1] });
  tree.addStep(tree.root, { tokens: [1], logprobs: [-0.1] });
  const d = tree.addStep(tree.root, { tokens: [9, 9], logprobs: [-1, -3] });
  const b = tree.addStep(a, { tokens: [2], logprobs: [-0.2] });
  tree.addStep(a, { tokens: [2], logprobs: [-0.2] });
  const c = tree.addStep(a, { tokens: [3], logprobs: [-0.4] });
  tree.addTrajectory(b, 1);
  tree.addTrajectory(b, 1);
  tree.addTrajectory(c, 0);
  tree.addTrajectory(d, 0);

  it("scores every node as paperNodeScore does, and averages nodes with at least two draws", () => {
    const score = scoreTree(tree);
    expect(score.options).toMatchObject({ estimator: "paper", beta: 5, stepProbability: "geometric" });
    // Root: v = 0.5, r(a) = (2/3) / 0.5 = 4/3, r(d) = 0; pi(a) = e^-0.1, pi(d) = e^-2; B = 4.
    const eta1a = 4 / 3 - 1.2;
    const eta1d = -1.2;
    const rootJ = (6 / 4) * (3 * eta1a * Math.exp(-0.1) + eta1d * Math.exp(-2));
    expect(score.nodeIbScore[0]).toBeCloseTo(rootJ, 14);
    // a: v = 2/3, r(b) = 1.5, r(c) = 0; B = 3.
    const aJ = (6 / 3) * (2 * 0.3 * Math.exp(-0.2) + -1.2 * Math.exp(-0.4));
    expect(score.nodeIbScore[a]).toBeCloseTo(aJ, 14);
    for (const node of [tree.root, a]) {
      const expected = paperNodeScore(tree, node);
      expect(score.nodeIbScore[node]).toBe(expected?.ibScore);
      expect(score.nodeCov[node]).toBe(expected?.cov);
      expect(score.nodeConfidence[node]).toBe(expected?.confidence);
      expect(score.nodeDraws[node]).toBe(expected?.draws);
    }
    expect(score.nodeIbScore[b]).toBeNaN();
    expect(score.scoredNodes).toBe(2);
    expect(score.branchingNodes).toBe(2);
    expect(score.tree?.ibScore).toBeCloseTo((rootJ + aJ) / 2, 14);
    expect(score.root?.ibScore).toBe(score.nodeIbScore[0]);
    expect(score.byDepth.map((depth) => [depth.depth, depth.scoredNodes, depth.ibScore])).toEqual([
      [0, 1, score.nodeIbScore[0]],
      [1, 1, score.nodeIbScore[a]],
    ]);
    expect(score.avgRate).toBe(0.5);
    expect(score.stepProbability[d]).toBeCloseTo(Math.exp(-2), 15);
  });

  it("counts a single child drawn twice as scored, unlike the Shannon form", () => {
    const chain = buildPrefixTree("q", [response([[1], [2]], 1), response([[1], [2]], 0)]);
    const paper = scoreTree(chain, { beta: 2 });
    // Each node has one child drawn twice: r = 1, J = -(1 + beta) pi / beta = -1.5 e^-0.5.
    expect(paper.scoredNodes).toBe(2);
    expect(paper.tree?.ibScore).toBeCloseTo(-1.5 * Math.exp(-0.5), 15);
    expect(paper.tree?.cov).toBe(0);
    expect(scoreTree(chain, { estimator: "shannon" }).tree).toBeNull();
    expect(scoreTree(buildPrefixTree("q", [response([[1], [2]], 1)])).tree).toBeNull();
  });
});

const groupArbitrary = fc.array(
  fc.record({
    steps: fc.array(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 2 }), {
      minLength: 1,
      maxLength: 4,
    }),
    reward: fc.constantFrom(0, 1, 0.5),
    entropy: fc.double({ min: 0, max: 5, noNaN: true }),
  }),
  { minLength: 1, maxLength: 12 },
);

describe("scoreTree properties", () => {
  it("keeps 0 <= I <= H_b(vbar) and H >= 0 at every node", () => {
    fc.assert(
      fc.property(groupArbitrary, fc.double({ min: 0, max: 2, noNaN: true }), (group, alpha) => {
        const tree = buildPrefixTree(
          "q",
          group.map((r) => response(r.steps, r.reward, r.entropy)),
        );
        const score = scoreTree(tree, { alpha });
        for (let node = 0; node < tree.size; node++) {
          const children = tree.children(node);
          if (children.length === 0) continue;
          const total = children.reduce((sum, c) => sum + tree.multiplicity(c), 0);
          const vbar = children.reduce(
            (sum, c) => sum + (tree.multiplicity(c) / total) * (score.value[c] as number),
            0,
          );
          expect(score.nodeI[node]).toBeGreaterThanOrEqual(0);
          expect(score.nodeI[node]).toBeLessThanOrEqual(binaryEntropy(vbar) + 1e-12);
          expect(score.nodeH[node]).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it("does not depend on the order of the responses (and so of the children)", () => {
    fc.assert(
      fc.property(groupArbitrary, fc.integer(), (group, seed) => {
        const responses = group.map((r) => response(r.steps, r.reward, r.entropy));
        const shuffled = [...responses];
        let state = seed >>> 0;
        for (let i = shuffled.length - 1; i > 0; i--) {
          state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
          const j = state % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j] as ResponseInput, shuffled[i] as ResponseInput];
        }
        const a = scoreTree(buildPrefixTree("q", responses));
        const b = scoreTree(buildPrefixTree("q", shuffled));
        expect(b.nodes).toBe(a.nodes);
        expect(b.branchingNodes).toBe(a.branchingNodes);
        expect(b.tree === null).toBe(a.tree === null);
        for (const key of ["ibScore", "H", "I"] as const) {
          if (a.tree !== null) expect(b.tree?.[key]).toBeCloseTo(a.tree[key], 10);
          expect(b.root?.[key]).toBeCloseTo(a.root?.[key] as number, 10);
        }
      }),
    );
  });
});
