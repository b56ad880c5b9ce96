import { ReasoningTree } from "@ibtpo/ib-score";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grpoEstimator, ibTpoEstimator } from "./advantage-estimator.js";
import { ibTpoStepAdvantages } from "./ib-tpo-advantages.js";
import { createAdvantageEstimator, trainingPreset } from "./presets.js";
import { trainingBatchFromTrees } from "./tree-sequences.js";

/** A trajectory as step symbols (each symbol one 1-2 token step) and a binary reward. */
const trajectory = fc.record({
  steps: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 4 }),
  reward: fc.constantFrom(0, 1),
  logprob: fc.double({ min: -4, max: -0.01, noNaN: true }),
});
const trajectories = fc.array(trajectory, { minLength: 1, maxLength: 12 });

function buildTree(draws: { steps: number[]; reward: number; logprob: number }[]): ReasoningTree {
  const tree = new ReasoningTree();
  for (const draw of draws) {
    let node = tree.root;
    for (const symbol of draw.steps) {
      const tokens = symbol === 2 ? [2, 2] : [symbol];
      node = tree.addStep(node, { tokens, logprobs: tokens.map(() => draw.logprob) });
    }
    tree.addTrajectory(node, draw.reward);
  }
  return tree;
}

/**
 * docs/METHOD.md 5.1 computed straight from the list of responses, without the tree: a node is a
 * prefix of step symbols, its value the mean reward of the responses through it, its pi_old the
 * exp of the mean log-prob of its draws (every token of a draw shares one log-prob here).
 */
function paperAdvantagesFromDraws(draws: { steps: number[]; reward: number; logprob: number }[]) {
  const through = new Map<string, { rewards: number[]; logprobs: number[] }>();
  for (const draw of draws) {
    for (let depth = 1; depth <= draw.steps.length; depth++) {
      const key = draw.steps.slice(0, depth).join(",");
      const entry = through.get(key) ?? { rewards: [], logprobs: [] };
      entry.rewards.push(draw.reward);
      entry.logprobs.push(draw.logprob);
      through.set(key, entry);
    }
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const rewards = draws.map((draw) => draw.reward);
  const rootValue = mean(rewards);
  const variance = rewards.reduce((sum, r) => sum + (r - rootValue) ** 2, 0) / (rewards.length - 1);
  const std = rewards.length > 1 ? Math.sqrt(variance) : 0;
  const advantages = new Map<string, number>();
  for (const [key, entry] of through) {
    const value = mean(entry.rewards);
    const parentKey = key.split(",").slice(0, -1).join(",");
    const parentValue = parentKey === "" ? rootValue : mean((through.get(parentKey) as { rewards: number[] }).rewards);
    const r = parentValue === 0 ? 1 : value / parentValue;
    const global = std === 0 ? 0 : (value - rootValue) / (std + 1e-4);
    advantages.set(key, global + 0.1 * (r - 1.2) * Math.exp(mean(entry.logprobs)));
  }
  return advantages;
}

describe("tree advantage properties", () => {
  it("the ib-tpo preset's advantages equal docs/METHOD.md 5.1 computed from the responses alone", () => {
    const estimator = createAdvantageEstimator(trainingPreset("ib-tpo").advantage);
    fc.assert(
      fc.property(trajectories, (draws) => {
        const tree = buildTree(draws);
        const expected = paperAdvantagesFromDraws(draws);
        const advantages = estimator.kind === "step" ? estimator.stepAdvantages([tree])[0] : null;
        expect(tree.size - 1).toBe(expected.size);
        for (let node = 1; node < tree.size; node++) {
          const key = tree
            .path(node)
            .map((step) => (tree.tokenCount(step) === 2 ? 2 : tree.tokens(step)[0]))
            .join(",");
          expect(advantages?.[node]).toBeCloseTo(expected.get(key) as number, 9);
        }
      }),
    );
  });

  it("A_H and A_I have zero draw-weighted mean over the children of every branching node", () => {
    fc.assert(
      fc.property(trajectories, (draws) => {
        const tree = buildTree(draws);
        const parts = ibTpoStepAdvantages(tree, { ibAdvantage: "score-function" });
        for (let parent = 0; parent < tree.size; parent++) {
          const children = tree.children(parent);
          if (children.length < 2) continue;
          let entropySum = 0;
          let informationSum = 0;
          for (const child of children) {
            entropySum += tree.multiplicity(child) * (parts.entropyPart[child] as number);
            informationSum += tree.multiplicity(child) * (parts.informationPart[child] as number);
          }
          expect(Math.abs(entropySum)).toBeLessThan(1e-9);
          expect(Math.abs(informationSum)).toBeLessThan(1e-9);
        }
      }),
    );
  });

  it("'dedup' trains every tree token once; 'per-trajectory' trains each trajectory's tokens", () => {
    fc.assert(
      fc.property(trajectories, (draws) => {
        const tree = buildTree(draws);
        const dedup = trainingBatchFromTrees([tree], ibTpoEstimator(), { tokenWeighting: "dedup" });
        const weightByNode = new Float64Array(tree.size);
        for (const row of dedup.sequences) {
          row.tokenNodes.forEach((node, index) => {
            weightByNode[node] = (weightByNode[node] as number) + (row.trainWeights[index] as number);
          });
        }
        let distinctTokens = 0;
        for (let node = 1; node < tree.size; node++) {
          expect(weightByNode[node]).toBe(tree.tokens(node).length);
          distinctTokens += tree.tokens(node).length;
        }
        expect(dedup.trainedTokens).toBe(distinctTokens);
        const perTrajectory = trainingBatchFromTrees([tree], ibTpoEstimator(), { tokenWeighting: "per-trajectory" });
        const tokensOfDraws = draws.reduce(
          (sum, draw) => sum + draw.steps.reduce((length, symbol) => length + (symbol === 2 ? 2 : 1), 0),
          0,
        );
        expect(perTrajectory.trainedTokens).toBe(tokensOfDraws);
      }),
    );
  });

  it("with lambda 0, per-trajectory, every step's summed advantage equals GRPO's over the tree's trajectories", () => {
    // Sum over the trajectories through s: traj(s) (v(s) - v(root)) / std = sum of (R_i - mean) / std.
    // Every token of s has the same gradient on every row through s, so A_GL alone trains a tree
    // exactly as GRPO does with the tree's trajectories as its group (same loss aggregation): what
    // IB-TPO adds on a tree is lambda A_IB.
    fc.assert(
      fc.property(trajectories, (draws) => {
        const tree = buildTree(draws);
        const summed = (batch: ReturnType<typeof trainingBatchFromTrees>) => {
          const byNode = new Float64Array(tree.size);
          for (const row of batch.sequences) {
            row.tokenNodes.forEach((node, index) => {
              byNode[node] =
                (byNode[node] as number) + (row.trainWeights[index] as number) * (row.advantages[index] as number);
            });
          }
          return byNode;
        };
        const globalOnly = summed(trainingBatchFromTrees([tree], ibTpoEstimator({ lambda: 0 })));
        const grpo = summed(trainingBatchFromTrees([tree], grpoEstimator()));
        for (let node = 1; node < tree.size; node++) expect(globalOnly[node]).toBeCloseTo(grpo[node] as number, 9);
      }),
    );
  });
});
