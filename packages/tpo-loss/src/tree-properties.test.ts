import { ReasoningTree } from "@ibtpo/ib-score";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ibTpoEstimator } from "./advantage-estimator.js";
import { ibTpoStepAdvantages } from "./ib-tpo-advantages.js";
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

describe("tree advantage properties", () => {
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
});
