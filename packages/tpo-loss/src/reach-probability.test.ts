import { ReasoningTree } from "@ibtpo/ib-score";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ibTpoEstimator } from "./advantage-estimator.js";
import { ibTpoStepAdvantages } from "./ib-tpo-advantages.js";
import { createAdvantageEstimator, trainingPreset } from "./presets.js";
import { reachProbabilities } from "./reach-probability.js";
import { sequenceWeight } from "./training-micro-batches.js";
import { trainingBatchFromTrees } from "./tree-sequences.js";
import { branchedTree, handBuiltTree } from "./worked-trees.test-helper.js";

describe("reachProbabilities", () => {
  it("gives a branched prefix the reach it was drawn with (worked by hand)", () => {
    // P(a) = P(b) = 1/2 (two draws at the root); P(c) = P(d) = P(e) = 1/2 * 1/3.
    expect(Array.from(reachProbabilities(branchedTree()))).toEqual([1, 1 / 2, 1 / 6, 1 / 2, 1 / 6, 1 / 6]);
  });

  it("is traj(s) / traj(root) in a prefix tree of i.i.d. responses", () => {
    // handBuiltTree: a drawn 3 times (c twice, d once), b once.
    expect(Array.from(reachProbabilities(handBuiltTree()))).toEqual([1, 3 / 4, 2 / 4, 1 / 4, 1 / 4]);
  });

  it("counts trajectories that end at an inner node as draws there, and skips unfinished steps", () => {
    const tree = new ReasoningTree();
    const a = tree.addStep(tree.root, { tokens: [1], logprobs: [-0.1] });
    tree.addTrajectory(a, 1); // ends at a
    tree.addTrajectory(tree.addStep(a, { tokens: [2], logprobs: [-0.1] }), 0);
    tree.addStep(a, { tokens: [3], logprobs: [-0.1] }); // a draw whose response never finished
    // Draws at a: one ending and one finished child; the unfinished child gets 0.
    expect(Array.from(reachProbabilities(tree))).toEqual([1, 1, 1 / 2, 0]);
  });

  it("is all 0 for a tree without a finished trajectory", () => {
    const tree = new ReasoningTree();
    tree.addStep(tree.root, { tokens: [1], logprobs: [-0.1] });
    expect(Array.from(reachProbabilities(tree))).toEqual([0, 0]);
  });

  it("splits each node's reach over its children and its endings (property)", () => {
    const branch = fc.record({
      at: fc.nat(),
      steps: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 }),
      reward: fc.constantFrom(0, 1),
    });
    fc.assert(
      fc.property(fc.array(branch, { minLength: 1, maxLength: 10 }), (branches) => {
        // Each response starts at an existing node (a branch point), as a tree sampler grows them.
        const tree = new ReasoningTree();
        for (const { at, steps, reward } of branches) {
          let node = at % tree.size;
          for (const symbol of steps) node = tree.addStep(node, { tokens: [symbol], logprobs: [-0.5] });
          tree.addTrajectory(node, reward);
        }
        const reach = reachProbabilities(tree);
        for (let node = 0; node < tree.size; node++) {
          const draws = tree.endingCount(node) + tree.children(node).reduce((sum, c) => sum + tree.multiplicity(c), 0);
          const passedOn =
            (reach[node] as number) * (tree.endingCount(node) / draws) +
            tree.children(node).reduce((sum, child) => sum + (reach[child] as number), 0);
          expect(passedOn).toBeCloseTo(reach[node] as number, 12);
        }
      }),
    );
  });
});

describe("trainingBatchFromTrees with 'reach-probability'", () => {
  it("weighs a step's tokens traj(root) P(s) in all, spread over its rows (worked by hand)", () => {
    const batch = trainingBatchFromTrees([branchedTree()], ibTpoEstimator(), { tokenWeighting: "reach-probability" });
    expect(batch.tokenWeighting).toBe("reach-probability");
    // traj(root) = 4: a weighs 4 * 1/2 = 2 over its 3 rows (2/3 each), c, d, e weigh 4/6 each, b 2.
    expect(batch.sequences.map((row) => Array.from(row.trainWeights))).toEqual([
      [2 / 3, 2 / 3, 2 / 3],
      [2],
      [2 / 3, 2 / 3, 2 / 3],
      [2 / 3, 2 / 3, 2 / 3, 2 / 3],
    ]);
    // Tokens: a 2 x 2, c 2/3, d 2/3, e 2 x 2/3, b 2.
    expect(batch.trainedTokens).toBeCloseTo(4 + 2 / 3 + 2 / 3 + 4 / 3 + 2, 12);
  });

  it("equals 'per-trajectory' on a prefix tree of i.i.d. responses", () => {
    const reach = trainingBatchFromTrees([handBuiltTree()], ibTpoEstimator(), { tokenWeighting: "reach-probability" });
    const perTrajectory = trainingBatchFromTrees([handBuiltTree()], ibTpoEstimator());
    expect(reach.sequences.map((row) => Array.from(row.trainWeights))).toEqual(
      perTrajectory.sequences.map((row) => Array.from(row.trainWeights)),
    );
  });

  it("gives a row whose trajectories are all masked nothing to train", () => {
    const tree = new ReasoningTree();
    const a = tree.addStep(tree.root, { tokens: [1], logprobs: [-0.1] });
    tree.addTrajectory(tree.addStep(a, { tokens: [2], logprobs: [-0.1] }), 0, { truncated: true });
    tree.addTrajectory(tree.addStep(a, { tokens: [3], logprobs: [-0.1] }), 1);
    const batch = trainingBatchFromTrees([tree], ibTpoEstimator(), {
      tokenWeighting: "reach-probability",
      maskTruncated: true,
    });
    // a: traj(root) P(a) = 2 over its two rows, 1 each; the truncated row trains nothing.
    expect(batch.sequences.map((row) => Array.from(row.trainWeights))).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });
});

describe("trainingPreset with 'reach-probability'", () => {
  it("gives step s the loss coefficient traj(root) P(s) A(s) through the ib-tpo preset", () => {
    const preset = trainingPreset("ib-tpo", { tokenWeighting: "reach-probability" });
    const tree = branchedTree();
    const batch = trainingBatchFromTrees([tree], createAdvantageEstimator(preset.advantage), preset);
    const advantage = ibTpoStepAdvantages(tree).advantage;
    const reach = reachProbabilities(tree);
    const coefficient = new Float64Array(tree.size);
    for (const row of batch.sequences) {
      row.tokenNodes.forEach((node, index) => {
        coefficient[node] =
          (coefficient[node] as number) + (row.trainWeights[index] as number) * (row.advantages[index] as number);
      });
    }
    for (let node = 1; node < tree.size; node++) {
      const expected = tree.tokenCount(node) * 4 * (reach[node] as number) * (advantage[node] as number);
      expect(coefficient[node]).toBeCloseTo(expected, 12);
    }
  });

  it("weighs a shared prefix apart from the rest of its row where branching below it was uneven (worked by hand)", () => {
    // root draws a and b; a draws c and d; c is branched once more: rows a c x, b, a d, a c y.
    const tree = new ReasoningTree({ promptId: "uneven" });
    const a = tree.addStep(tree.root, { tokens: [1, 1], logprobs: [-0.5, -0.5] });
    const c = tree.addStep(a, { tokens: [2], logprobs: [-0.5] });
    tree.addTrajectory(tree.addStep(c, { tokens: [3], logprobs: [-0.5] }), 1);
    tree.addTrajectory(tree.addStep(tree.root, { tokens: [4], logprobs: [-0.5] }), 0);
    tree.addTrajectory(tree.addStep(a, { tokens: [5], logprobs: [-0.5] }), 0);
    tree.addTrajectory(tree.addStep(c, { tokens: [6], logprobs: [-0.5] }), 1);
    // P: a 1/2, c 1/4, x 1/8, b 1/2, d 1/4, y 1/8. Per row, traj(root) P(s) / traj(s):
    // a 4 x 1/2 / 3 = 2/3, c 4 x 1/4 / 2 = 1/2, x and y 1/2, b 2, d 1.
    const preset = trainingPreset("ib-tpo", {
      tokenWeighting: "reach-probability",
      loss: { lossAggregation: "seq-mean-token-mean" },
    });
    const batch = trainingBatchFromTrees([tree], createAdvantageEstimator(preset.advantage), preset);
    expect(batch.sequences.map((row) => Array.from(row.trainWeights))).toEqual([
      [2 / 3, 2 / 3, 1 / 2, 1 / 2],
      [2],
      [2 / 3, 2 / 3, 1],
      [2 / 3, 2 / 3, 1 / 2, 1 / 2],
    ]);
    // Under seq-mean-token-mean a row counts with its largest weight; within the row's mean each
    // token counts m / r (docs/METHOD.md 5.2), so a's tokens count 1 and c's 3/4 on row a c x.
    expect(batch.sequences.map((row) => sequenceWeight(row))).toEqual([2 / 3, 2, 1, 2 / 3]);
  });
});
