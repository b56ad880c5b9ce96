import { binaryEntropy } from "@ibtpo/ib-score";
import { describe, expect, it } from "vitest";
import { chainsSampler } from "./chains-sampler.js";
import { MarkovPolicy } from "./markov-policy.js";
import { sampleBatch } from "./sample-batch.js";

// Vocabulary [eos, "\n", a, b]. Deterministic: a -> b -> "\n" -> eos.
const deterministic = new MarkovPolicy({
  vocabularySize: 4,
  order: 1,
  eosToken: 0,
  stepDelimiter: 1,
  probabilities: (context) =>
    [
      [1, 0, 0, 0],
      [1, 0, 0, 0],
      [0, 0, 0, 1],
      [0, 1, 0, 0],
    ][context[0] ?? 0] as number[],
});

// After the prompt token "\n": a or b with probability 1/2 each, then eos.
const coin = new MarkovPolicy({
  vocabularySize: 4,
  order: 1,
  eosToken: 0,
  stepDelimiter: 1,
  probabilities: (context) => (context[0] === 1 ? [0, 0, 0.5, 0.5] : [1, 0, 0, 0]),
});

describe("statistics", () => {
  it("are exact on deterministic trees", async () => {
    // Prompt [a] gives "b \n eos" (3 tokens, steps [b, \n] [eos]); prompt [b] gives "\n eos" (2 tokens).
    const batch = await sampleBatch([[2], [3]], deterministic, {
      sampler: chainsSampler({ responses: 3 }),
      budget: 100,
      maxResponseLength: 10,
      seed: 1,
      reward: (promptIndex) => (promptIndex === 0 ? 1 : 0),
      // The Shannon form's aggregate skips nodes without two distinct children.
      ibScore: { estimator: "shannon" },
    });
    const [first, second] = batch.samples;
    expect(first?.tree.size).toBe(3);
    expect(first?.tree.multiplicity(1)).toBe(3);
    expect(first?.statistics).toMatchObject({
      trajectories: 3,
      completeTrajectories: 3,
      generatedTokens: 9,
      distinctAnswers: 1,
      meanReward: 1,
      effective: false,
      nodes: 2,
      branchingNodes: 0,
      ibScore: null,
    });
    expect(first?.statistics.trajectoriesPer1kTokens).toBeCloseTo(1000 / 3, 12);
    expect(second?.statistics.generatedTokens).toBe(6);
    expect(batch.statistics).toMatchObject({
      prompts: 2,
      trajectories: 6,
      generatedTokens: 15,
      trajectoriesPer1kTokens: 400,
      meanReward: 0.5,
      meanDistinctAnswers: 1,
      effRate: 0,
      generateCalls: 1,
    });
    expect(batch.statistics.ibScore.collapsed).toBe(2);
    expect(batch.statistics.ibScore.ibScore).toBeNull();
  });

  it("count distinct answers, Eff-Rate and the IB-Score of a branching tree", async () => {
    const batch = await sampleBatch([[1]], coin, {
      sampler: chainsSampler({ responses: 16 }),
      budget: 100,
      maxResponseLength: 10,
      seed: 3,
      reward: (_promptIndex, tokens) => (tokens[0] === 2 ? 1 : 0),
      answer: (_promptIndex, tokens) => String(tokens[0]),
      ibScore: { estimator: "shannon" },
    });
    const sample = batch.samples[0]!;
    const { tree } = sample;
    const aCount = sample.trajectories.filter((trajectory) => trajectory.tokens[0] === 2).length;
    expect(aCount > 0 && aCount < 16).toBe(true);
    expect(tree.childCount(tree.root)).toBe(2);
    expect(sample.statistics.distinctAnswers).toBe(2);
    expect(sample.statistics.effective).toBe(true);
    expect(batch.statistics.effRate).toBe(1);
    // Each first step is [symbol, eos] with entropies [ln 2, 0]: h = ln 2 / 2 (token mean) for both.
    // I at the root with alpha = .5: v(a) = (n_a + .5) / (n_a + 1), v(b) = .5 / (n_b + 1).
    const bCount = 16 - aCount;
    const va = (aCount + 0.5) / (aCount + 1);
    const vb = 0.5 / (bCount + 1);
    const vbar = (aCount * va + bCount * vb) / 16;
    const I = binaryEntropy(vbar) - (aCount * binaryEntropy(va) + bCount * binaryEntropy(vb)) / 16;
    expect(sample.statistics.rootIbScore?.H).toBeCloseTo(Math.LN2 / 2, 12);
    expect(sample.statistics.rootIbScore?.I).toBeCloseTo(I, 12);
    expect(sample.statistics.ibScore?.ibScore).toBeCloseTo(Math.LN2 / 2 + I, 12);
  });
});
