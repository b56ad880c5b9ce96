import {
  analyzeRolloutLines,
  formatRolloutRecord,
  type NodeId,
  paperNodeScore,
  type ReasoningTree,
  summarizeBatch,
  trajectoryRolloutRecord,
} from "@ibtpo/ib-score";
import { describe, expect, it } from "vitest";
import { createSampler, type SamplerConfig } from "./create-sampler.js";
import { type BatchSample, sampleBatch } from "./sample-batch.js";
import { createReferencePolicy, createReferenceTask } from "./testing.js";

async function sample(config: SamplerConfig): Promise<BatchSample> {
  const task = createReferenceTask({ prompts: 3, seed: 5 });
  return sampleBatch(task.prompts, createReferencePolicy({ seed: 5 }), {
    sampler: createSampler(config),
    budget: 300,
    maxResponseLength: 48,
    seed: 7,
    reward: task.reward,
    answer: task.answer,
  });
}

/** The rollout lines a run writes (what `ibtpo sample` and the trainer's saved trees hold). */
function rolloutLines(batch: BatchSample): string[] {
  return batch.samples.flatMap((sample) =>
    sample.trajectories.map((trajectory) =>
      formatRolloutRecord(trajectoryRolloutRecord(`p${sample.promptIndex}`, sample.tree, trajectory)),
    ),
  );
}

/** Every node's numbers keyed by its path of step tokens, so trees built in other orders compare. */
function nodeFacts(tree: ReasoningTree): Map<string, object> {
  const facts = new Map<string, object>();
  const visit = (node: NodeId, key: string) => {
    facts.set(key, {
      multiplicity: tree.multiplicity(node),
      trajectories: tree.trajectoryCount(node),
      rewardSum: tree.rewardSum(node),
      logprobs: Array.from(tree.logprobs(node)),
      score: paperNodeScore(tree, node),
    });
    for (const child of tree.children(node)) visit(child, `${key}/${Array.from(tree.tokens(child)).join(",")}`);
  };
  visit(tree.root, "");
  return facts;
}

async function readBack(lines: readonly string[]) {
  const trees: ReasoningTree[] = [];
  const analysis = await analyzeRolloutLines(lines, "rollouts.jsonl", { onTree: (tree) => trees.push(tree) });
  return { trees, summary: analysis.summary };
}

const treeSamplers: SamplerConfig[] = [
  { kind: "ib-tree", initialChains: 3, rounds: 4, nodesPerRound: 2, branches: 2 },
  { kind: "entropy-tree", initialChains: 2, forkPoints: 2, rounds: 3, branches: 2 },
];

describe("rollout files of sampled trees", () => {
  it.each(treeSamplers)("rebuild the in-memory tree exactly (%o)", async (config) => {
    const batch = await sample(config);
    const lines = rolloutLines(batch);
    expect(lines.some((line) => line.includes('"reused_steps"'))).toBe(true);
    const { trees, summary } = await readBack(lines);
    expect(trees).toHaveLength(batch.samples.length);
    batch.samples.forEach((sample, index) => {
      expect(nodeFacts(trees[index] as ReasoningTree)).toEqual(nodeFacts(sample.tree));
    });
    expect(summary).toEqual(summarizeBatch(batch.samples.map((sample) => sample.score)));
  });

  it.each(treeSamplers)("count shared prefixes once per trajectory without reused_steps (%o)", async (config) => {
    const batch = await sample(config);
    const stripped = rolloutLines(batch).map((line) => line.replace(/,"reused_steps":\d+/, ""));
    const { trees } = await readBack(stripped);
    const drawn = (tree: ReasoningTree) => tree.children(tree.root).reduce((sum, c) => sum + tree.multiplicity(c), 0);
    const inMemory = batch.samples.map((sample) => drawn(sample.tree));
    const fromFile = trees.map(drawn);
    // Every trajectory adds its whole path, so the root's draws become the trajectory count.
    expect(fromFile).toEqual(batch.samples.map((sample) => sample.trajectories.length));
    expect(fromFile.some((draws, index) => draws > (inMemory[index] as number))).toBe(true);
  });

  it("of i.i.d. chains carry no reused_steps and read back as before", async () => {
    const batch = await sample({ kind: "chains", responses: 6, perIteration: 6 });
    const lines = rolloutLines(batch);
    expect(lines.every((line) => !line.includes("reused_steps"))).toBe(true);
    const { trees, summary } = await readBack(lines);
    batch.samples.forEach((sample, index) => {
      expect(nodeFacts(trees[index] as ReasoningTree)).toEqual(nodeFacts(sample.tree));
    });
    expect(summary).toEqual(summarizeBatch(batch.samples.map((sample) => sample.score)));
  });
});
