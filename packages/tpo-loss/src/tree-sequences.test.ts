import { describe, expect, it } from "vitest";
import { grpoEstimator, ibTpoEstimator, type StepAdvantageEstimator, treeRlEstimator } from "./advantage-estimator.js";
import { ibTpoStepAdvantages } from "./ib-tpo-advantages.js";
import { trainingBatchFromTrees } from "./tree-sequences.js";
import { handBuiltTree, nodes } from "./worked-trees.test-helper.js";

const { a, b, c, d } = nodes;

describe("trainingBatchFromTrees", () => {
  it("makes one row per ending node, each token carrying its step's advantage", () => {
    const tree = handBuiltTree();
    const batch = trainingBatchFromTrees([tree], ibTpoEstimator());
    const step = ibTpoStepAdvantages(tree).advantage;
    expect(batch.sequences.map((row) => Array.from(row.tokens))).toEqual([[1, 2, 3], [1, 2, 4, 5], [6]]);
    expect(batch.sequences.map((row) => Array.from(row.tokenNodes))).toEqual([[a, a, c], [a, a, d, d], [b]]);
    expect(Array.from(batch.sequences[1]?.advantages ?? [])).toEqual([step[a], step[a], step[d], step[d]]);
    expect(Array.from(batch.sequences[0]?.oldLogprobs ?? [])).toEqual([-0.2, -0.4, -0.1]);
    expect(batch.sequences.map((row) => [row.trajectories, row.reward])).toEqual([
      [2, 1],
      [1, 0],
      [1, 1],
    ]);
    expect(Array.from(batch.sequences[0]?.promptTokens ?? [])).toEqual([9, 9]);
  });

  it("trains each tree token once with 'dedup' (the default)", () => {
    const batch = trainingBatchFromTrees([handBuiltTree()], ibTpoEstimator());
    expect(batch.tokenWeighting).toBe("dedup");
    expect(batch.sequences.map((row) => Array.from(row.trainWeights))).toEqual([[1, 1, 1], [0, 0, 1, 1], [1]]);
    // Distinct tokens: a 2, c 1, d 2, b 1.
    expect(batch.trainedTokens).toBe(6);
  });

  it("trains every trajectory's tokens with 'per-trajectory', k identical trajectories weighing k", () => {
    const batch = trainingBatchFromTrees([handBuiltTree()], treeRlEstimator(), { tokenWeighting: "per-trajectory" });
    expect(batch.sequences.map((row) => Array.from(row.trainWeights))).toEqual([[2, 2, 2], [1, 1, 1, 1], [1]]);
    // Four trajectories of 3, 3, 4 and 1 tokens.
    expect(batch.trainedTokens).toBe(11);
  });

  it("gives GRPO rows the advantage of their trajectories, k copies counted in the group (worked by hand)", () => {
    // Trajectory rewards 1, 1 (c twice), 0 (d), 1 (b): mean 0.75, Bessel std 0.5.
    const batch = trainingBatchFromTrees([handBuiltTree(), handBuiltTree()], grpoEstimator());
    expect(batch.tokenWeighting).toBe("per-trajectory");
    const rows = batch.sequences.map((row) => [row.groupIndex, row.advantages[0]]);
    expect(rows).toEqual([
      [0, 0.25 / 0.5001],
      [0, -0.75 / 0.5001],
      [0, 0.25 / 0.5001],
      [1, 0.25 / 0.5001],
      [1, -0.75 / 0.5001],
      [1, 0.25 / 0.5001],
    ]);
  });

  it("rejects 'dedup' for response estimators and misshapen estimator output", () => {
    expect(() => trainingBatchFromTrees([handBuiltTree()], grpoEstimator(), { tokenWeighting: "dedup" })).toThrow(
      /option tokenWeighting: estimator 'grpo' gives one advantage per response/,
    );
    const broken: StepAdvantageEstimator = { kind: "step", name: "short", stepAdvantages: () => [new Float64Array(2)] };
    expect(() => trainingBatchFromTrees([handBuiltTree()], broken)).toThrow(
      /estimator 'short': returned 2 advantages for tree 0, which has 5 nodes/,
    );
  });
});
