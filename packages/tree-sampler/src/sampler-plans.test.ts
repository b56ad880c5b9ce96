import { ReasoningTree } from "@ibtpo/ib-score";
import { describe, expect, it } from "vitest";
import { chainsSampler } from "./chains-sampler.js";
import { createSampler } from "./create-sampler.js";
import { entropyTreeSampler } from "./entropy-tree-sampler.js";
import { forkKey } from "./fork-point.js";
import { handPlanContext } from "./plan-context.test-helper.js";
import { randomTreeSampler } from "./random-tree-sampler.js";

/**
 * root -> A = [5, 6, 1] (surprisal .1, 2.0, .5) -> B = [7, 0] (surprisal 1.5, .01)
 * root -> C = [8, 0] (surprisal 3.0, .2); root -> D = [9, 0] (surprisal 2.5, .3)
 */
function surprisalTree() {
  const tree = new ReasoningTree();
  const a = tree.addStep(tree.root, { tokens: [5, 6, 1], logprobs: [-0.1, -2.0, -0.5] });
  const b = tree.addStep(a, { tokens: [7, 0], logprobs: [-1.5, -0.01] });
  const c = tree.addStep(tree.root, { tokens: [8, 0], logprobs: [-3.0, -0.2] });
  const d = tree.addStep(tree.root, { tokens: [9, 0], logprobs: [-2.5, -0.3] });
  for (const leaf of [b, c, d]) tree.addTrajectory(leaf, 0);
  return { tree, a, b, c, d };
}

describe("entropy-tree", () => {
  const sampler = entropyTreeSampler({ initialChains: 2, forkPoints: 3, rounds: 2, branches: 4 });

  it("forks at the positions of highest surprisal, one fork per distinct prefix", () => {
    const { tree, a, b, c } = surprisalTree();
    // C[0] (3.0) and D[0] (2.5) both continue the prompt itself: only C[0] is kept.
    expect(sampler.plan(handPlanContext(tree, 1))).toEqual([
      { node: c, offset: 0, branches: 4 },
      { node: a, offset: 1, branches: 4 },
      { node: b, offset: 0, branches: 4 },
    ]);
  });

  it("skips prefixes forked in earlier rounds and positions that cannot fork", () => {
    const { tree, a, b, c, d } = surprisalTree();
    // Left: A[2] .5, D[1] .3, C[1] .2; A[0] and D[0] continue the prompt, which was forked already.
    const forked = new Set([forkKey(tree, { node: c, offset: 0 }), forkKey(tree, { node: a, offset: 1 })]);
    const context = handPlanContext(tree, 2, {
      wasForked: (point) => forked.has(forkKey(tree, point)),
      canFork: (point) => point.node !== b,
    });
    expect(sampler.plan(context).map(({ node, offset }) => [node, offset])).toEqual([
      [a, 2],
      [d, 1],
      [c, 1],
    ]);
  });

  it("starts with M chains and stops after L rounds", () => {
    const { tree } = surprisalTree();
    expect(sampler.plan(handPlanContext(tree, 0))).toEqual([{ node: tree.root, branches: 2 }]);
    expect(sampler.plan(handPlanContext(tree, 3))).toEqual([]);
  });
});

describe("random-tree", () => {
  it("picks N distinct candidates, reproducibly from the iteration's stream", () => {
    const tree = new ReasoningTree();
    let parent = tree.root;
    for (let token = 10; token < 20; token++) parent = tree.addStep(parent, { tokens: [token], logprobs: [-1] });
    tree.addTrajectory(parent, 1);
    const sampler = randomTreeSampler({ rounds: 3, nodesPerRound: 3, branches: 2 });
    const first = sampler.plan(handPlanContext(tree, 1)).map((fork) => fork.node);
    expect(new Set(first).size).toBe(3);
    expect(first.every((node) => node >= 0 && node < 10)).toBe(true);
    expect(sampler.plan(handPlanContext(tree, 1)).map((fork) => fork.node)).toEqual(first);
    const picks = new Set<number>();
    for (let iteration = 1; iteration < 4; iteration++) {
      for (const fork of sampler.plan(handPlanContext(tree, iteration))) picks.add(fork.node);
    }
    expect(picks.size).toBeGreaterThan(3);
  });
});

describe("chains", () => {
  it("asks for the responses still missing, at most perIteration at a time", () => {
    const tree = new ReasoningTree();
    const sampler = chainsSampler({ responses: 5, perIteration: 3 });
    expect(sampler.plan(handPlanContext(tree, 0))).toEqual([{ node: 0, branches: 3 }]);
    for (let i = 0; i < 3; i++) tree.addTrajectory(tree.addStep(tree.root, { tokens: [i + 4], logprobs: [-1] }), 1);
    expect(sampler.plan(handPlanContext(tree, 1))).toEqual([{ node: 0, branches: 2 }]);
    // By default: unlimited responses, four per call.
    expect(chainsSampler().plan(handPlanContext(tree, 1))).toEqual([{ node: 0, branches: 4 }]);
  });
});

describe("createSampler", () => {
  it("builds each kind and rejects unknown kinds and bad counts by key", () => {
    expect(createSampler({ kind: "chains", responses: 8 }).name).toBe("chains(G=8, 4 per call)");
    expect(createSampler({ kind: "ib-tree", rounds: 2, nodesPerRound: 1, branches: 2 }).name).toMatch(/^ib-tree/);
    expect(() => createSampler({ kind: "beam" } as never)).toThrow(/unknown sampler kind 'beam'/);
    expect(() => createSampler({ kind: "random-tree", rounds: 2, nodesPerRound: 0, branches: 2 })).toThrow(
      /option nodesPerRound/,
    );
  });
});
