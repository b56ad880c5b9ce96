import { describe, expect, it } from "vitest";
import { describeDifference, settingDifferences } from "./setting-differences.js";

describe("settingDifferences", () => {
  it("finds nothing between equal settings, whatever their key order", () => {
    const settings = { seed: 1, optimizer: { learningRate: 1e-4, epochs: 2 }, taskOptions: { hops: 5 } };
    expect(
      settingDifferences(settings, { taskOptions: { hops: 5 }, optimizer: { epochs: 2, learningRate: 1e-4 }, seed: 1 }),
    ).toEqual([]);
  });

  it("names a nested key with the recorded and the expected value", () => {
    expect(
      settingDifferences(
        { optimizer: { learningRate: 1e-4, epochs: 1 } },
        { optimizer: { learningRate: 5e-5, epochs: 1 } },
      ),
    ).toEqual([{ key: "optimizer.learningRate", there: 1e-4, now: 5e-5 }]);
  });

  it("names a key set on one side only, expected keys first", () => {
    expect(
      settingDifferences(
        { loss: { clipHigh: 0.28 }, algorithm: "grpo" },
        { algorithm: "grpo", tokenWeighting: "dedup", loss: {} },
      ),
    ).toEqual([
      { key: "tokenWeighting", there: undefined, now: "dedup" },
      { key: "loss.clipHigh", there: 0.28, now: undefined },
    ]);
  });

  it("compares arrays whole and tells null from absent", () => {
    expect(settingDifferences({ list: [1, 2], clip: null }, { list: [1, 2], clip: null })).toEqual([]);
    expect(settingDifferences({ list: [1, 2], clip: null }, { list: [2, 1] })).toEqual([
      { key: "list", there: [1, 2], now: [2, 1] },
      { key: "clip", there: null, now: undefined },
    ]);
  });
});

describe("describeDifference", () => {
  it("shows both values as JSON and an absent one as unset", () => {
    expect(describeDifference({ key: "optimizer.learningRate", there: 1e-4, now: 5e-5 })).toBe(
      "optimizer.learningRate 0.0001 there, 0.00005 now",
    );
    expect(describeDifference({ key: "tokenWeighting", there: undefined, now: "dedup" })).toBe(
      'tokenWeighting unset there, "dedup" now',
    );
  });
});
