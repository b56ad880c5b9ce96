import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSampler, type SamplerConfig } from "./create-sampler.js";
import { sampleBatch } from "./sample-batch.js";
import { createReferencePolicy, createReferenceTask } from "./testing.js";
import { treeFingerprint } from "./tree-invariants.test-helper.js";

/**
 * The options that reproduce the samplers as they were before the paper's IBTree became the
 * default (README, "Earlier behaviour"). The hashes were taken from that implementation, on the
 * same policy, task, budget and seed: every token, log-prob, count and reward of every tree.
 */
const earlier: [SamplerConfig, string, number][] = [
  [
    {
      kind: "ib-tree",
      branchScore: "shannon-optimistic",
      beta: 1,
      initialChains: 2,
      rounds: 63,
      nodesPerRound: 2,
      branches: 2,
    },
    "32f0ec44ccdfe4be",
    72,
  ],
  [{ kind: "random-tree", initialChains: 2, rounds: 63, nodesPerRound: 2, branches: 2 }, "90255855314da1e1", 69],
  [{ kind: "entropy-tree", initialChains: 2, forkPoints: 2, rounds: 64, branches: 2 }, "36556d286088c0f7", 67],
  [{ kind: "chains", responses: Number.POSITIVE_INFINITY, perIteration: 4 }, "dc178d4f4579d1cb", 43],
];

describe("earlier behaviour", () => {
  it.each(earlier)("is reproduced by its options (%o)", async (config, hash, trajectories) => {
    const task = createReferenceTask({ prompts: 4, seed: 3 });
    const batch = await sampleBatch(task.prompts, createReferencePolicy({ seed: 3 }), {
      sampler: createSampler(config),
      budget: 400,
      maxResponseLength: 64,
      seed: 11,
      reward: task.reward,
      answer: task.answer,
      budgetCut: "drop",
    });
    const trees = batch.samples.map((sample) => treeFingerprint(sample.tree)).join("|");
    expect(batch.statistics.trajectories).toBe(trajectories);
    expect(createHash("sha256").update(trees).digest("hex").slice(0, 16)).toBe(hash);
  });
});
