import { describe, expect, it } from "vitest";
import { ibTpoEstimator } from "./advantage-estimator.js";
import { lossAggregations } from "./option-choices.js";
import { makeTrainingBatch } from "./training-batch.js";
import { lossNormalizerShare } from "./training-micro-batches.js";
import { trainingMiniBatches } from "./training-mini-batches.js";
import { trainingBatchFromTrees } from "./tree-sequences.js";
import { handBuiltTree } from "./worked-trees.test-helper.js";

// Three copies of the hand-built tree: rows weigh [2, 2, 2] (dedup-free, per trajectory) etc.
const batch = trainingBatchFromTrees([handBuiltTree(), handBuiltTree(), handBuiltTree()], ibTpoEstimator());

describe("trainingMiniBatches", () => {
  it("deals whole groups out in order, ceil(groups / count) to a mini-batch", () => {
    const groupsOf = (count: number) =>
      trainingMiniBatches(batch, count, "token-mean").map((mini) => [
        ...new Set(mini.batch.sequences.map((sequence) => sequence.groupIndex)),
      ]);
    expect(groupsOf(1)).toEqual([[0, 1, 2]]);
    expect(groupsOf(2)).toEqual([[0, 1], [2]]);
    expect(groupsOf(3)).toEqual([[0], [1], [2]]);
    // More mini-batches asked for than there are groups: one group each.
    expect(groupsOf(5)).toEqual([[0], [1], [2]]);
    const rows = trainingMiniBatches(batch, 2, "token-mean").flatMap((mini) => mini.batch.sequences);
    expect(rows).toEqual(batch.sequences);
  });

  for (const mode of lossAggregations) {
    it(`weights each mini-batch by its share of the batch's loss normaliser (${mode})`, () => {
      const minis = trainingMiniBatches(batch, 2, mode);
      const total = lossNormalizerShare(batch.sequences, batch.tokenWeighting, mode);
      // Two identical trees against one: two thirds of every normaliser.
      expect(minis.map((mini) => mini.weight)).toEqual([2 / 3, 1 / 3]);
      for (const mini of minis) {
        expect(mini.weight).toBeCloseTo(
          lossNormalizerShare(mini.batch.sequences, batch.tokenWeighting, mode) / total,
          12,
        );
        expect(mini.batch.trainedTokens).toBe(
          makeTrainingBatch(mini.batch.sequences, batch.tokenWeighting).trainedTokens,
        );
      }
    });
  }

  it("gives no mini-batch for an empty batch and refuses a count that is not a positive integer", () => {
    expect(trainingMiniBatches(makeTrainingBatch([], "per-trajectory"), 4, "token-mean")).toEqual([]);
    expect(() => trainingMiniBatches(batch, 0, "token-mean")).toThrow("mini-batch count: must be a positive integer");
    expect(() => trainingMiniBatches(batch, 1.5, "token-mean")).toThrow("mini-batch count: must be a positive integer");
  });
});
