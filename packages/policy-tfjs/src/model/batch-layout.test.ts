import { describe, expect, it } from "vitest";
import { leftPaddedLayout, MASKED_SCORE } from "./batch-layout.js";

describe("leftPaddedLayout", () => {
  const layout = leftPaddedLayout([2, 3]);

  it("aligns row ends and gives each row its own positions", () => {
    expect(layout.width).toBe(3);
    expect(Array.from(layout.leftPad)).toEqual([1, 0]);
    expect(Array.from(layout.positions(0, 3))).toEqual([0, 0, 1, 0, 1, 2]);
    expect(Array.from(layout.positions(3, 1))).toEqual([2, 3]);
  });

  it("masks padding keys and future keys", () => {
    const m = MASKED_SCORE;
    expect(Array.from(layout.attentionBias(0, 3))).toEqual([
      ...[m, m, m, m, 0, m, m, 0, 0],
      ...[0, m, m, 0, 0, m, 0, 0, 0],
    ]);
    expect(Array.from(layout.attentionBias(3, 1))).toEqual([m, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("rejects a length longer than the width", () => {
    expect(() => leftPaddedLayout([2, 5], 4)).toThrow(/lengths\[1\]: length 5 must be an integer in \[0, 4\]/);
  });
});
