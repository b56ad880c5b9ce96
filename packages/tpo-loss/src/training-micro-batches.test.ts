import { ReasoningTree } from "@ibtpo/ib-score";
import { describe, expect, it } from "vitest";
import { ibTpoEstimator } from "./advantage-estimator.js";
import { type LossAggregation, lossAggregations } from "./option-choices.js";
import type { TrainingSequence } from "./training-batch.js";
import { sequenceWeight, trainingMicroBatches } from "./training-micro-batches.js";
import { trainingBatchFromTrees } from "./tree-sequences.js";
import { handBuiltTree } from "./worked-trees.test-helper.js";

/** A tree whose only trajectory is truncated: under maskTruncated its row has nothing to train. */
function truncatedTree(): ReasoningTree {
  const tree = new ReasoningTree({ promptId: "cut" });
  tree.addTrajectory(tree.addStep(0, { tokens: [7, 8], logprobs: [-0.1, -0.2] }), 0, { truncated: true });
  return tree;
}

const normalizerLength = 10;

/** The loss aggregation of docs/METHOD.md section 6 over rows, written out plainly, of the values `x`. */
function aggregate(
  rows: readonly TrainingSequence[],
  x: (row: TrainingSequence, t: number) => number,
  mode: LossAggregation,
) {
  let weighted = 0;
  let mass = 0;
  let rowWeights = 0;
  let rowMeans = 0;
  for (const row of rows) {
    let rowSum = 0;
    let rowMass = 0;
    let trained = 0;
    row.trainWeights.forEach((m, t) => {
      rowSum += m * x(row, t);
      rowMass += m;
      if (m > 0) trained++;
    });
    weighted += rowSum;
    mass += rowMass;
    const r = sequenceWeight(row);
    rowWeights += r;
    // r times the row's mean over its trained tokens, each weighted by m / r.
    if (trained > 0) rowMeans += rowSum / trained;
  }
  if (mode === "token-mean") return weighted / mass;
  if (mode === "seq-mean-token-mean") return rowMeans / rowWeights;
  return weighted / (rowWeights * normalizerLength);
}

describe("trainingMicroBatches", () => {
  const batch = trainingBatchFromTrees([handBuiltTree(), truncatedTree(), handBuiltTree()], ibTpoEstimator(), {
    maskTruncated: true,
  });
  // A per-token value that differs across tokens and rows, so a wrong weight shows.
  const value = (row: TrainingSequence, t: number) => (row.advantages[t] as number) + 0.1 * t + row.groupIndex;

  it("leaves out rows with nothing to train and keeps the row order in 'batch-order'", () => {
    const micro = trainingMicroBatches(batch, 2, "token-mean", "batch-order");
    expect(batch.sequences).toHaveLength(7);
    expect(micro.map((m) => m.sequences.length)).toEqual([2, 2, 2]);
    expect(micro.flatMap((m) => m.sequences)).toEqual(batch.sequences.filter((row) => row.promptId !== "cut"));
    expect(micro[0]?.padded.columns).toBe(4);
  });

  it("groups rows of similar length by default, as many micro-batches, each in batch order", () => {
    const trained = batch.sequences.filter((row) => row.promptId !== "cut");
    const lengths = (micro: readonly { sequences: readonly TrainingSequence[] }[]) =>
      micro.map((m) => m.sequences.map((row) => row.tokens.length));
    // Responses of 3, 4, 1 tokens per tree, twice: in batch order every pair mixes lengths.
    expect(trained.map((row) => row.tokens.length)).toEqual([3, 4, 1, 3, 4, 1]);
    expect(lengths(trainingMicroBatches(batch, 2, "token-mean", "batch-order"))).toEqual([
      [3, 4],
      [1, 3],
      [4, 1],
    ]);
    const grouped = trainingMicroBatches(batch, 2, "token-mean");
    expect(lengths(grouped)).toEqual([
      [1, 1],
      [3, 3],
      [4, 4],
    ]);
    expect(grouped[0]!.sequences).toEqual([trained[2], trained[5]]);
    expect(grouped.map((m) => m.padded.columns)).toEqual([1, 3, 4]);
    // A single micro-batch is the batch as it is.
    expect(trainingMicroBatches(batch, 100, "token-mean")[0]!.sequences).toEqual(trained);
  });

  for (const mode of lossAggregations) {
    it(`weights micro-batch losses so they add up to the full-batch loss (${mode})`, () => {
      const full = aggregate(batch.sequences, value, mode);
      for (const size of [1, 2, 4, 100]) {
        for (const grouping of ["similar-length", "batch-order"] as const) {
          const micro = trainingMicroBatches(batch, size, mode, grouping);
          const combined = micro.reduce((sum, m) => sum + m.weight * aggregate(m.sequences, value, mode), 0);
          expect(combined).toBeCloseTo(full, 12);
          expect(micro.reduce((sum, m) => sum + m.weight, 0)).toBeCloseTo(1, 12);
        }
      }
    });
  }

  it("gives token-mean micro-batches their share of trained tokens (worked by hand)", () => {
    // Per tree, rows weigh [2, 2, 2], [1, 1, 1, 1], [1]: 11 trained tokens, 22 in all.
    const micro = trainingMicroBatches(batch, 3, "token-mean", "batch-order");
    expect(micro.map((m) => m.weight)).toEqual([11 / 22, 11 / 22]);
    // Row weights 2, 1, 1 per tree: 4 of 8 in each half.
    expect(trainingMicroBatches(batch, 3, "seq-mean-token-mean", "batch-order").map((m) => m.weight)).toEqual([
      0.5, 0.5,
    ]);
    expect(() => trainingMicroBatches(batch, 0, "token-mean")).toThrow("micro-batch size: must be a positive integer");
  });
});
