import { ReasoningTree } from "@ibtpo/ib-score";
import { describe, expect, it } from "vitest";
import { ibTreeSampler } from "./ib-tree-sampler.js";
import { paperBranchScores } from "./paper-branch-score.js";
import { handPlanContext } from "./plan-context.test-helper.js";
import type { GenerationRequest, Policy } from "./policy.js";
import { sampleBatch } from "./sample-batch.js";
import { MarkovPolicy } from "./testing.js";

/**
 * root -> A (pi .5, drawn twice) -> A1 (pi .8, reward 1), A2 (pi .2, reward 0)
 * root -> B (pi .25) -> B1 (pi 1, reward 0)
 * Raw values: v(A) = .5, v(B) = 0, v(root) = 1/3. With beta = 5, eta1 = r - 1.2:
 *   J(root) = 6/3 * (2 * (1.5 - 1.2) * .5 + (0 - 1.2) * .25) = 0
 *   J(A) = 6/2 * ((2 - 1.2) * .8 + (0 - 1.2) * .2) = 1.2
 *   J(B) = 6 * (1 - 1.2) * 1 = -1.2 (v(B) = 0, so r = 1)
 */
function handTree() {
  const tree = new ReasoningTree();
  const step = (parent: number, token: number, probability: number) =>
    tree.addStep(parent, { tokens: [token], logprobs: [Math.log(probability)] });
  const a = step(tree.root, 10, 0.5);
  const a1 = step(a, 11, 0.8);
  expect(step(tree.root, 10, 0.5)).toBe(a);
  const a2 = step(a, 12, 0.2);
  const b = step(tree.root, 13, 0.25);
  const b1 = step(b, 14, 1);
  tree.addTrajectory(a1, 1);
  tree.addTrajectory(a2, 0);
  tree.addTrajectory(b1, 0);
  return { tree, a, b };
}

describe("ib-tree with the paper score", () => {
  it("scores the candidates by J, worked by hand", () => {
    const { tree, a, b } = handTree();
    const scores = paperBranchScores(tree, [tree.root, a, b]);
    expect(scores[tree.root]).toBeCloseTo(0, 12);
    expect(scores[a]).toBeCloseTo(1.2, 12);
    expect(scores[b]).toBeCloseTo(-1.2, 12);
    expect(Number.isNaN(scores[a + 1] as number)).toBe(true); // not a candidate
  });

  it("branches the K nodes of highest J into B continuations each, the root included", () => {
    const { tree, a, b } = handTree();
    const plan = (nodesPerRound: number, branches: number) =>
      ibTreeSampler({ nodesPerRound, branches }).plan(handPlanContext(tree, 1));
    expect(plan(1, 1)).toEqual([{ node: a, branches: 1 }]);
    expect(plan(2, 3)).toEqual([
      { node: a, branches: 3 },
      { node: tree.root, branches: 3 },
    ]);
    expect(plan(3, 1).map((fork) => fork.node)).toEqual([a, tree.root, b]);
  });

  it("with minNovelty, passes over nodes whose next draw would repeat a response", () => {
    // Every draw below A or B repeats a response (novelty 0); a new chain from the root is new
    // with probability 1 - (.5 x 1 + .25 x 1) = .25.
    const { tree, a, b } = handTree();
    const plan = (minNovelty: number, nodesPerRound = 1) =>
      ibTreeSampler({ minNovelty, nodesPerRound })
        .plan(handPlanContext(tree, 1))
        .map((fork) => fork.node);
    expect(plan(0.2)).toEqual([tree.root]);
    // The rest follow by J once the qualifying nodes are taken.
    expect(plan(0.2, 3)).toEqual([tree.root, a, b]);
    // No node qualifies: the paper's ranking by J.
    expect(plan(0.5)).toEqual([a]);
    expect(plan(0)).toEqual([a]);
  });

  it("starts with B0 chains from the root and stops after the round cap", () => {
    const { tree } = handTree();
    const sampler = ibTreeSampler({ initialChains: 4, rounds: 2 });
    expect(sampler.plan(handPlanContext(tree, 0))).toEqual([{ node: tree.root, branches: 4 }]);
    expect(sampler.plan(handPlanContext(tree, 2))).toHaveLength(1);
    expect(sampler.plan(handPlanContext(tree, 3))).toEqual([]);
  });
});

// Vocabulary [eos, "\n", a, b, c, q]. From the prompt q: "c \n" surely, then a or b (1/2 each), then eos.
// Every response is two steps, X = [c, \n] then [a, eos] (reward 1) or [b, eos] (reward 0).
const coinAfterStep = new MarkovPolicy({
  vocabularySize: 6,
  order: 1,
  eosToken: 0,
  stepDelimiter: 1,
  probabilities: (context) =>
    (
      ({
        5: [0, 0, 0, 0, 1, 0],
        4: [0, 1, 0, 0, 0, 0],
        1: [0, 0, 0.5, 0.5, 0, 0],
      }) as Record<number, number[]>
    )[context[0] as number] ?? [1, 0, 0, 0, 0, 0],
});

function recording(inner: Policy) {
  const calls: GenerationRequest[][] = [];
  const policy: Policy = {
    name: inner.name,
    eosToken: inner.eosToken,
    stepDelimiter: inner.stepDelimiter,
    providesEntropies: inner.providesEntropies,
    generate: (requests, options) => {
      calls.push([...requests]);
      return inner.generate(requests, options);
    },
  };
  return { policy, calls };
}

describe("ib-tree on a Markov policy, shapes worked by hand", () => {
  // J(root) = 6 (1 - 1.2) pi(X) = -1.2 (one child, pi(X) = 1); J(X) = -1.2 * pi(a) = -.849 whatever
  // the counts of a and b (geometric pi(a) = pi(b) = sqrt(.5)). So every round branches X.
  it("runs B0 chains, then one continuation from X per prompt per round, in one call for all prompts", async () => {
    const { policy, calls } = recording(coinAfterStep);
    const branched: number[] = [];
    const batch = await sampleBatch([[5], [5]], policy, {
      sampler: ibTreeSampler(),
      budget: 30,
      // Requests reserve maxTokens from the budget: 4 per chain, 2 per continuation from X.
      maxResponseLength: 4,
      seed: 3,
      reward: (_prompt, tokens) => (tokens.includes(2) ? 1 : 0),
      onIteration: ({ iteration, prompts }) => {
        if (iteration > 0) for (const { forks } of prompts) branched.push(...forks.map((fork) => fork.node));
      },
    });
    // 4 chains x 4 tokens = 16, then 7 rounds x 2 tokens = 14: the budget of 30, spent exactly.
    expect(calls.map((call) => call.length)).toEqual([8, 2, 2, 2, 2, 2, 2, 2]);
    expect(
      calls
        .slice(1)
        .flat()
        .every((request) => Array.from(request.prefix).join() === "5,4,1"),
    ).toBe(true);
    expect(new Set(branched)).toEqual(new Set([1]));
    for (const sample of batch.samples) {
      expect(sample.statistics.generatedTokens).toBe(30);
      expect(sample.trajectories).toHaveLength(11);
      expect(sample.tree.childCount(sample.tree.root)).toBe(1);
      expect(sample.tree.multiplicity(1)).toBe(4); // the draws at the root
      expect(sample.tree.trajectoryCount(1)).toBe(11);
    }
  });

  it("is reproducible from the seed and changes with it", async () => {
    const run = (seed: number) =>
      sampleBatch([[5], [5]], coinAfterStep, {
        sampler: ibTreeSampler({ initialChains: 2 }),
        budget: 40,
        maxResponseLength: 10,
        seed,
        reward: (_prompt, tokens) => (tokens.includes(2) ? 1 : 0),
      });
    const rewards = (batch: Awaited<ReturnType<typeof run>>) =>
      batch.samples.map((sample) => sample.trajectories.map((trajectory) => trajectory.reward).join(""));
    expect(rewards(await run(1))).toEqual(rewards(await run(1)));
    expect(rewards(await run(1))).not.toEqual(rewards(await run(2)));
  });
});
