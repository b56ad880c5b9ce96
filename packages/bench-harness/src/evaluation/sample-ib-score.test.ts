import { describe, expect, it } from "vitest";
import { stepEndsAt } from "./sample-ib-score.js";

describe("stepEndsAt", () => {
  it("ends a step after each delimiter and at the end", () => {
    expect(stepEndsAt([5, 9, 6, 9, 0], 9)).toEqual([2, 4, 5]);
    expect(stepEndsAt([5, 9], 9)).toEqual([2]);
    expect(stepEndsAt([5, 6], 9)).toEqual([2]);
  });
});
