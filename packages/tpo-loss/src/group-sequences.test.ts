import { describe, expect, it } from "vitest";
import { grpoEstimator } from "./advantage-estimator.js";
import { trainingBatchFromGroups } from "./group-sequences.js";
import { padTrainingBatch } from "./pad-training-batch.js";

const groups = [
  {
    promptId: "q1",
    promptTokens: [7],
    responses: [
      { tokens: [4, 2], logprobs: [-0.5, -0.25], reward: 1 },
      { tokens: [4, 3, 5], reward: 0 },
    ],
  },
  { promptId: "q2", responses: [{ tokens: [1], reward: 1 }] },
];

describe("trainingBatchFromGroups", () => {
  it("makes one row per response with a constant advantage and weight 1", () => {
    const batch = trainingBatchFromGroups(groups, grpoEstimator());
    // Group q1: rewards [1, 0], mean 0.5, Bessel std sqrt(0.5). Group q2 is a singleton: 0.
    const a = 0.5 / (Math.sqrt(0.5) + 1e-4);
    expect(batch.sequences.map((row) => Array.from(row.advantages))).toEqual([[a, a], [-a, -a, -a], [0]]);
    expect(batch.sequences.map((row) => Array.from(row.trainWeights))).toEqual([[1, 1], [1, 1, 1], [1]]);
    expect(batch.trainedTokens).toBe(6);
    expect(Array.from(batch.sequences[1]?.oldLogprobs ?? [])).toEqual([0, 0, 0]);
    expect(batch.sequences.map((row) => row.groupIndex)).toEqual([0, 0, 1]);
  });

  it("gives truncated responses weight 0 with maskTruncated, keeping their rewards in the group", () => {
    const cut = [
      {
        responses: [
          { tokens: [4, 2], reward: 1 },
          { tokens: [4, 3, 5], reward: 0, truncated: true },
        ],
      },
    ];
    const masked = trainingBatchFromGroups(cut, grpoEstimator(), { maskTruncated: true });
    expect(masked.sequences.map((row) => Array.from(row.trainWeights))).toEqual([
      [1, 1],
      [0, 0, 0],
    ]);
    expect(masked.trainedTokens).toBe(2);
    expect(masked.sequences[0]?.advantages[0]).toBe(0.5 / (Math.sqrt(0.5) + 1e-4));
    const kept = trainingBatchFromGroups(cut, grpoEstimator());
    expect(kept.trainedTokens).toBe(5);
  });

  it("names the response with a bad shape", () => {
    const bad = [{ responses: [{ tokens: [1, 2], logprobs: [-1], reward: 1 }] }];
    expect(() => trainingBatchFromGroups(bad, grpoEstimator())).toThrow(
      /group 0 response 0: logprobs has length 1, tokens has length 2/,
    );
  });
});

describe("padTrainingBatch", () => {
  it("right-pads rows into [rows, columns] arrays with a zero mask on padding", () => {
    const padded = padTrainingBatch(trainingBatchFromGroups(groups, grpoEstimator()), { columns: 4, padToken: 99 });
    expect([padded.rows, padded.columns]).toEqual([3, 4]);
    expect(Array.from(padded.tokens)).toEqual([4, 2, 99, 99, 4, 3, 5, 99, 1, 99, 99, 99]);
    expect(Array.from(padded.mask)).toEqual([1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0]);
    expect(Array.from(padded.oldLogprobs.subarray(0, 2))).toEqual([-0.5, -0.25]);
    expect(Array.from(padded.lengths)).toEqual([2, 3, 1]);
    expect(() => padTrainingBatch(trainingBatchFromGroups(groups, grpoEstimator()), { columns: 2 })).toThrow(
      /option columns: is 2, but the longest row has 3 tokens/,
    );
  });
});
