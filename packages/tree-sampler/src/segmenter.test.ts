import { describe, expect, it } from "vitest";
import { delimiterSegmenter, fixedLengthSegmenter, functionSegmenter } from "./segmenter.js";

const span = (...tokens: number[]) => Int32Array.from(tokens);

describe("delimiterSegmenter", () => {
  it("ends a step after each delimiter and keeps the rest as the final step", () => {
    expect(delimiterSegmenter([1]).stepEnds(span(5, 6, 1, 7, 0))).toEqual([3, 5]);
    expect(delimiterSegmenter([1]).stepEnds(span(4, 1, 1, 5))).toEqual([2, 3, 4]);
    expect(delimiterSegmenter([1]).stepEnds(span(4, 1))).toEqual([2]);
  });

  it("accepts several delimiter tokens", () => {
    expect(delimiterSegmenter([1, 9]).stepEnds(span(4, 9, 5, 1, 6))).toEqual([2, 4, 5]);
  });

  it("rejects an empty or invalid delimiter list", () => {
    expect(() => delimiterSegmenter([])).toThrow(/at least one/);
    expect(() => delimiterSegmenter([2, -1])).toThrow(/delimiter 1/);
  });
});

describe("fixedLengthSegmenter", () => {
  it("cuts every `length` tokens, the last step shorter", () => {
    expect(fixedLengthSegmenter(2).stepEnds(span(4, 4, 4, 4, 4))).toEqual([2, 4, 5]);
    expect(fixedLengthSegmenter(3).stepEnds(span(4, 4, 4))).toEqual([3]);
    expect(fixedLengthSegmenter(8).stepEnds(span(4))).toEqual([1]);
  });

  it("rejects a length below 1", () => {
    expect(() => fixedLengthSegmenter(0)).toThrow(/integer >= 1/);
  });
});

describe("functionSegmenter", () => {
  it("uses the rule and checks its result", () => {
    const perToken = functionSegmenter("per-token", (tokens) => Array.from(tokens, (_, i) => i + 1));
    expect(perToken.stepEnds(span(3, 4, 5))).toEqual([1, 2, 3]);
    const short = functionSegmenter("short", () => [1]);
    expect(() => short.stepEnds(span(3, 4))).toThrow(/segmenter 'short'.*last step end is 1/);
    const unordered = functionSegmenter("unordered", () => [2, 1, 3]);
    expect(() => unordered.stepEnds(span(3, 4, 5))).toThrow(/step end 1 is 1/);
  });
});
