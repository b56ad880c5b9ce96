import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { clippedSurrogate } from "./clipped-surrogate.js";
import { disposeAll, handTensors } from "./worked-batch.test-helper.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function run(dualClip: number | null) {
  const inputs = handTensors();
  const result = clippedSurrogate(inputs.logp, inputs.oldLogp, inputs.advantages, {
    clipLow: 0.2,
    clipHigh: 0.28,
    dualClip,
  });
  const read = {
    tokenLoss: Array.from(result.tokenLoss.dataSync()),
    clipped: Array.from(result.clipped.dataSync()),
    clippedHigh: Array.from(result.clippedHigh.dataSync()),
    clippedLow: Array.from(result.clippedLow.dataSync()),
    dualClipped: Array.from(result.dualClipped.dataSync()),
  };
  disposeAll({ ...inputs, ...result });
  return read;
}

describe("clippedSurrogate", () => {
  it("takes the pessimistic of the clipped and unclipped terms (worked by hand)", () => {
    const { tokenLoss, clipped, dualClipped } = run(null);
    // A=1 r=1.5: max(-1.5, -1.28); A=1 r=0.5: max(-0.5, -0.8); A=2 r=1.1: -2.2 both;
    // A=-1 r=0.5: max(0.5, 0.8); A=-1 r=4: max(4, 1.28); A=-1 r=1.1: 1.1 both.
    const expected = [-1.28, -0.5, -2.2, 0.8, 4, 1.1];
    expected.forEach((value, index) => {
      expect(tokenLoss[index]).toBeCloseTo(value, 5);
    });
    expect(clipped).toEqual([1, 0, 0, 1, 0, 0]);
    expect(dualClipped).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("tells the upper clip (A > 0, r > 1 + eps_high) from the lower (A < 0, r < 1 - eps_low)", () => {
    const { clippedHigh, clippedLow } = run(null);
    // A=1 r=1.5 is above 1.28; A=-1 r=0.5 is below 0.8; A=-1 r=4 is out of range but unclipped.
    expect(clippedHigh).toEqual([1, 0, 0, 0, 0, 0]);
    expect(clippedLow).toEqual([0, 0, 0, 1, 0, 0]);
  });

  it("bounds negative-advantage losses by c |A| with dual clip", () => {
    const { tokenLoss, dualClipped } = run(3);
    // Only A=-1, r=4 exceeds c = 3: its loss 4 becomes 3.
    [-1.28, -0.5, -2.2, 0.8, 3, 1.1].forEach((value, index) => {
      expect(tokenLoss[index]).toBeCloseTo(value, 5);
    });
    expect(dualClipped).toEqual([0, 0, 0, 0, 1, 0]);
  });
});
