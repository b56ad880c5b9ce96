import { describe, expect, it } from "vitest";
import { assignMicroBatches, threadShares } from "./micro-batch-assignment.js";

describe("assignMicroBatches", () => {
  it("gives a worker the larger of two micro-batches and this thread the smaller", () => {
    expect(assignMicroBatches([32, 20], 2)).toEqual([1, 0]);
    expect(assignMicroBatches([20, 32], 2)).toEqual([0, 1]);
  });

  it("takes equal costs in order, a worker first on each tie", () => {
    expect(assignMicroBatches([1, 1, 1], 2)).toEqual([1, 0, 1]);
    expect(assignMicroBatches([1, 1, 1, 1], 3)).toEqual([1, 2, 0, 1]);
  });

  it("balances the costs largest first", () => {
    // Worker: 9 + 1 = 10; this thread: 5 + 4 = 9.
    expect(assignMicroBatches([4, 9, 5, 1], 2)).toEqual([0, 1, 0, 1]);
  });

  it("keeps everything on this thread without workers or with one micro-batch", () => {
    expect(assignMicroBatches([3, 2, 1], 1)).toEqual([0, 0, 0]);
    expect(assignMicroBatches([7], 2)).toEqual([0]);
    expect(assignMicroBatches([], 2)).toEqual([]);
  });

  it("lists each thread's share in ascending order", () => {
    expect(threadShares([32, 20, 8], 2)).toEqual([[1, 2], [0]]);
    expect(threadShares([1, 1, 1, 1], 3)).toEqual([[2], [0, 3], [1]]);
    expect(threadShares([5], 1)).toEqual([[0]]);
  });
});
