import { ReasoningTree } from "@ibtpo/ib-score";
import { describe, expect, it } from "vitest";
import { fixedWidthTreeSampler } from "./fixed-width-tree-sampler.js";
import { handPlanContext } from "./plan-context.test-helper.js";
import { sampleBatch } from "./sample-batch.js";
import { MarkovPolicy } from "./testing.js";

const step = (tree: ReasoningTree, parent: number, token: number) =>
  tree.addStep(parent, { tokens: [token], logprobs: [-0.5] });

describe("fixed-width-tree plans", () => {
  it("tops up the shallowest depth with nodes below the width, one depth per round", () => {
    // root -> A -> A1 (leaf); root -> B -> B1 -> B2 (leaf): two initial chains.
    const tree = new ReasoningTree();
    const a = step(tree, tree.root, 10);
    tree.addTrajectory(step(tree, a, 11), 1);
    const b = step(tree, tree.root, 12);
    const b1 = step(tree, b, 13);
    tree.addTrajectory(step(tree, b1, 14), 0);
    const sampler = fixedWidthTreeSampler({ initialChains: 2, width: 3 });
    expect(sampler.plan(handPlanContext(tree, 0))).toEqual([{ node: tree.root, branches: 2 }]);
    // Depth 1 first: A and B have one draw each, two missing; B1 (depth 2) waits.
    expect(sampler.plan(handPlanContext(tree, 1))).toEqual([
      { node: a, branches: 2 },
      { node: b, branches: 2 },
    ]);
    // After the round A and B have 3 draws (new leaves under them): depth 2 is next, only B1.
    for (const parent of [a, a, b, b]) tree.addTrajectory(step(tree, parent, 20 + tree.size), 0);
    expect(sampler.plan(handPlanContext(tree, 2))).toEqual([{ node: b1, branches: 2 }]);
    // Nodes that cannot be branched are skipped; with none left the tree is finished.
    expect(
      sampler.plan(
        handPlanContext(tree, 2, { isBranchCandidate: (node) => node !== b1 && tree.endingCount(node) === 0 }),
      ),
    ).toEqual([]);
    expect(fixedWidthTreeSampler({ rounds: 1 }).plan(handPlanContext(tree, 2))).toEqual([]);
  });
});

describe("fixed-width-tree on a Markov policy", () => {
  // From the prompt q (5): "c \n" surely, then a or b, then eos: responses are X = [c, \n] + one leaf step.
  const policy = new MarkovPolicy({
    vocabularySize: 6,
    order: 1,
    eosToken: 0,
    stepDelimiter: 1,
    probabilities: (context) =>
      (({ 5: [0, 0, 0, 0, 1, 0], 4: [0, 1, 0, 0, 0, 0], 1: [0, 0, 0.5, 0.5, 0, 0] }) as Record<number, number[]>)[
        context[0] as number
      ] ?? [1, 0, 0, 0, 0, 0],
  });

  it("brings X up to the width with continuations after it, then stops", async () => {
    const batch = await sampleBatch([[5]], policy, {
      sampler: fixedWidthTreeSampler({ initialChains: 1, width: 3 }),
      budget: 100,
      maxResponseLength: 4,
      seed: 2,
      reward: () => 0,
    });
    const [sample] = batch.samples;
    // One chain (4 tokens), then two continuations of 2 tokens from X; the leaves are not branched.
    expect(batch.statistics.generateCalls).toBe(2);
    expect(sample?.trajectories.map((trajectory) => trajectory.generatedTokens)).toEqual([4, 2, 2]);
    expect(sample?.tree.trajectoryCount(1)).toBe(3);
  });
});
