import { ReasoningTree } from "@ibtpo/ib-score";
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

  it("trains each tree token once with 'dedup'", () => {
    const batch = trainingBatchFromTrees([handBuiltTree()], ibTpoEstimator(), { tokenWeighting: "dedup" });
    expect(batch.tokenWeighting).toBe("dedup");
    expect(batch.sequences.map((row) => Array.from(row.trainWeights))).toEqual([[1, 1, 1], [0, 0, 1, 1], [1]]);
    // Distinct tokens: a 2, c 1, d 2, b 1.
    expect(batch.trainedTokens).toBe(6);
  });

  it("trains every trajectory's tokens with 'per-trajectory' (the default), k identical trajectories weighing k", () => {
    const batch = trainingBatchFromTrees([handBuiltTree()], treeRlEstimator());
    expect(batch.tokenWeighting).toBe("per-trajectory");
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

  it("gives GRPO over a tree each response's own reward: identical responses rewarded 1 and 0 are two samples", () => {
    // Two identical responses [1] -> [2] with rewards 1 and 0, and a third response [3] with reward 1.
    const tree = new ReasoningTree({ promptId: "same" });
    const leaf = tree.addStep(tree.addStep(0, { tokens: [1], logprobs: [-0.1] }), { tokens: [2], logprobs: [-0.2] });
    tree.addTrajectory(leaf, 1);
    tree.addTrajectory(leaf, 0);
    tree.addTrajectory(tree.addStep(0, { tokens: [3], logprobs: [-0.3] }), 1);
    const batch = trainingBatchFromTrees([tree], grpoEstimator());
    // As TRL counts them: rewards [1, 0, 1], mean 2/3, Bessel std sqrt(1/3).
    const std = Math.sqrt(1 / 3) + 1e-4;
    const rows = batch.sequences.map((row) => [Array.from(row.tokens), row.reward, row.trajectories]);
    expect(rows).toEqual([
      [[1, 2], 0, 1],
      [[1, 2], 1, 1],
      [[3], 1, 1],
    ]);
    const expected = [(0 - 2 / 3) / std, (1 - 2 / 3) / std, (1 - 2 / 3) / std];
    batch.sequences.forEach((row, index) => {
      expect(row.advantages[0]).toBeCloseTo(expected[index] as number, 12);
    });
    expect(batch.trainedTokens).toBe(5);
  });

  it("masks truncated trajectories with maskTruncated: weight 0, rewards still counted", () => {
    // Row d's single trajectory is truncated (reward 0); c's two and b's one are not.
    const tree = handBuiltTree();
    const truncated = new ReasoningTree({ promptId: "cut" });
    const shared = truncated.addStep(0, { tokens: [1], logprobs: [-0.1] });
    const cut = truncated.addStep(shared, { tokens: [2], logprobs: [-0.2] });
    truncated.addTrajectory(cut, 0, { truncated: true });
    truncated.addTrajectory(truncated.addStep(shared, { tokens: [3], logprobs: [-0.3] }), 1);
    for (const tokenWeighting of ["per-trajectory", "dedup"] as const) {
      const batch = trainingBatchFromTrees([truncated], ibTpoEstimator(), { tokenWeighting, maskTruncated: true });
      // The shared first step is trained through the finished trajectory only; the cut step not at all.
      expect(batch.sequences.map((row) => Array.from(row.trainWeights))).toEqual([
        [0, 0],
        [1, 1],
      ]);
      const unmasked = trainingBatchFromTrees([truncated], ibTpoEstimator(), { tokenWeighting });
      expect(unmasked.trainedTokens).toBe(tokenWeighting === "dedup" ? 3 : 4);
    }
    const grpo = trainingBatchFromTrees([truncated, tree], grpoEstimator(), { maskTruncated: true });
    expect(Array.from(grpo.sequences[0]?.trainWeights ?? [])).toEqual([0, 0]);
    // The truncated response's reward 0 still counts: rewards [0, 1], advantages -/+ 1 / (std + eps).
    expect(grpo.sequences[1]?.advantages[0]).toBeCloseTo(0.5 / (Math.SQRT1_2 + 1e-4), 12);
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
