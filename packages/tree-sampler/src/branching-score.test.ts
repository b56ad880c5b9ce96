import { binaryEntropy, ReasoningTree } from "@ibtpo/ib-score";
import { describe, expect, it } from "vitest";
import { branchingScores, topScoredNodes } from "./branching-score.js";
import { ibTreeSampler } from "./ib-tree-sampler.js";
import { handPlanContext } from "./plan-context.test-helper.js";

function step(tree: ReasoningTree, parent: number, token: number, entropy: number): number {
  return tree.addStep(parent, { tokens: [token], logprobs: [-0.1], entropies: [entropy] });
}

/**
 * root -> A (h .2) -> B (h 1.0, reward 1), C (h .4, reward 0)
 * root -> D (h .6) -> E (h .3, reward 1)
 * With alpha = 0.5, beta = 1, worked by hand:
 *   A: H = (1.0 + .4) / 2 = .7; v(B) = .75, v(C) = .25; I = ln 2 - H_b(.75)       -> .8308120360
 *   D: one child: H = .3, I replaced by H_b(v(D)) = H_b(.75) = .5623351446       -> .8623351446
 *   root: H = (.2 + .6) / 2 = .4; v(A) = .5, v(D) = .75; I = H_b(.625) - (ln 2 + H_b(.75)) / 2 -> .4338220756
 */
function handTree() {
  const tree = new ReasoningTree();
  const a = step(tree, tree.root, 10, 0.2);
  const b = step(tree, a, 11, 1.0);
  const c = step(tree, a, 12, 0.4);
  const d = step(tree, tree.root, 13, 0.6);
  const e = step(tree, d, 14, 0.3);
  tree.addTrajectory(b, 1);
  tree.addTrajectory(c, 0);
  tree.addTrajectory(e, 1);
  return { tree, a, b, c, d, e };
}

describe("branchingScores", () => {
  it("matches the hand-worked scores", () => {
    const { tree, a, d } = handTree();
    const scores = branchingScores(tree, { alpha: 0.5, beta: 1 });
    expect(scores[a]).toBeCloseTo(0.830812036, 9);
    expect(scores[d]).toBeCloseTo(0.8623351446, 9);
    expect(scores[tree.root]).toBeCloseTo(0.4338220756, 9);
    expect(scores[d]).toBeCloseTo(0.3 + binaryEntropy(0.75), 15);
    expect(Number.isNaN(scores[5] as number)).toBe(true); // E is a leaf
  });

  it("scales the information part with beta", () => {
    const { tree, a } = handTree();
    expect(branchingScores(tree, { beta: 0 })[a]).toBeCloseTo(0.7, 15);
  });
});

describe("ib-tree selection with the earlier score", () => {
  const earlier = { branchScore: "shannon-optimistic", beta: 1 } as const;

  it("branches exactly at the nodes of highest branching score", () => {
    const { tree, a, d } = handTree();
    const sampler = ibTreeSampler({ ...earlier, rounds: 4, nodesPerRound: 2, branches: 3 });
    expect(sampler.plan(handPlanContext(tree, 1))).toEqual([
      { node: d, branches: 3 },
      { node: a, branches: 3 },
    ]);
    const three = ibTreeSampler({ ...earlier, rounds: 4, nodesPerRound: 3, branches: 1 });
    expect(three.plan(handPlanContext(tree, 1)).map((fork) => fork.node)).toEqual([d, a, tree.root]);
  });

  it("breaks ties by depth, then id", () => {
    // root -> R -> S -> U(1) is built first, then root -> P -> Q(1); every step entropy .3:
    // R, S and P all score .3 + H_b(.75); root has two equal children, so I = 0 and it scores .3.
    // S has a smaller id than P but is deeper, so P ranks before S.
    const tree = new ReasoningTree();
    const r = step(tree, tree.root, 12, 0.3);
    const s = step(tree, r, 13, 0.3);
    tree.addTrajectory(step(tree, s, 14, 0.3), 1);
    const p = step(tree, tree.root, 10, 0.3);
    tree.addTrajectory(step(tree, p, 11, 0.3), 1);
    const scores = branchingScores(tree);
    expect(scores[p]).toBe(scores[r]);
    expect(scores[r]).toBe(scores[s]);
    expect(s).toBeLessThan(p);
    expect(topScoredNodes(tree, scores, [s, p, tree.root, r], 4)).toEqual([r, p, s, tree.root]);
    const sampler = ibTreeSampler({ ...earlier, rounds: 2, nodesPerRound: 2, branches: 1 });
    expect(sampler.plan(handPlanContext(tree, 1)).map((fork) => fork.node)).toEqual([r, p]);
  });

  it("starts with M chains from the root and stops after C iterations", () => {
    const { tree } = handTree();
    const sampler = ibTreeSampler({ ...earlier, initialChains: 4, rounds: 2, nodesPerRound: 2, branches: 2 });
    expect(sampler.plan(handPlanContext(tree, 0))).toEqual([{ node: tree.root, branches: 4 }]);
    expect(sampler.plan(handPlanContext(tree, 2))).toHaveLength(2);
    expect(sampler.plan(handPlanContext(tree, 3))).toEqual([]);
  });

  it("never picks a non-candidate", () => {
    const { tree, a } = handTree();
    const context = { ...handPlanContext(tree, 1), isBranchCandidate: (node: number) => node === a };
    expect(ibTreeSampler({ ...earlier, rounds: 4, nodesPerRound: 3, branches: 1 }).plan(context)).toEqual([
      { node: a, branches: 1 },
    ]);
  });
});
