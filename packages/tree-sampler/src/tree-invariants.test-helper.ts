import type { ReasoningTree } from "@ibtpo/ib-score";
import { expect } from "vitest";
import type { PromptSample } from "./sample-batch.js";

/** Checks every structural promise a sampled tree makes (see README, "Guarantees"). */
export function expectTreeInvariants(sample: PromptSample, maxResponseLength: number, maxDepth: number): void {
  const { tree, trajectories } = sample;
  expect(tree.trajectories).toBe(trajectories.length);
  expect(tree.trajectoryCount(tree.root)).toBe(trajectories.length);
  let endings = 0;
  for (let node = 0; node < tree.size; node++) {
    const childTrajectories = tree.children(node).reduce((sum, child) => sum + tree.trajectoryCount(child), 0);
    expect(tree.trajectoryCount(node)).toBe(tree.endingCount(node) + childTrajectories);
    if (node !== tree.root && tree.childCount(node) === 0) expect(tree.endingCount(node)).toBeGreaterThanOrEqual(1);
    expect(tree.depth(node)).toBeLessThanOrEqual(maxDepth);
    endings += tree.endingCount(node);
  }
  expect(endings).toBe(trajectories.length);
  let rewardSum = 0;
  let generated = 0;
  for (const trajectory of trajectories) {
    expect(Array.from(tree.pathTokens(trajectory.leaf))).toEqual(Array.from(trajectory.tokens));
    expect(trajectory.logprobs).toHaveLength(trajectory.tokens.length);
    expect(trajectory.tokens.length).toBeLessThanOrEqual(maxResponseLength);
    expect(trajectory.truncated).toBe(trajectory.finishReason === "length");
    if (trajectory.truncated) expect(trajectory.reward).toBe(0);
    rewardSum += trajectory.reward;
    generated += trajectory.generatedTokens;
  }
  expect(tree.rewardSum(tree.root)).toBeCloseTo(rewardSum, 9);
  expect(generated).toBe(sample.statistics.generatedTokens);
}

/** Every number a tree holds, for equality checks between runs. */
export function treeFingerprint(tree: ReasoningTree): string {
  const nodes = [];
  for (let node = 0; node < tree.size; node++) {
    nodes.push([
      tree.parent(node),
      Array.from(tree.tokens(node)),
      Array.from(tree.logprobs(node)),
      tree.multiplicity(node),
      tree.trajectoryCount(node),
      tree.rewardSum(node),
    ]);
  }
  return JSON.stringify(nodes);
}
