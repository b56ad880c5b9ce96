import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { TransformerModel } from "../model/transformer-model.js";
import { tinyConfig, useTestBackend } from "../test-backend.test-helper.js";
import { PolicyOptimizer, splitIntoMicroBatches } from "./policy-optimizer.js";
import { sftLoss } from "./sft-loss.js";

beforeAll(useTestBackend);

// Each row: BOS, a digit-like token, then that token repeated; learnable from the prompt.
const rows = [3, 4, 5, 6].map((token) => ({ tokens: [1, token, token, token, token, 2], promptLength: 2 }));

describe("PolicyOptimizer", () => {
  it("lowers the SFT loss and keeps the tensor count flat over 50 steps", () => {
    const model = TransformerModel.create(tinyConfig, { seed: 1 });
    const optimizer = new PolicyOptimizer(model, { learningRate: { peak: 1e-2, warmupSteps: 5 }, weightDecay: 0.01 });
    const microBatches = splitIntoMicroBatches(rows, 2);
    const first = optimizer.trainStep(microBatches, (batch) => sftLoss(model, batch));
    const tensorsAfterFirst = tf.memory().numTensors;
    let last = first;
    for (let step = 1; step < 50; step++) last = optimizer.trainStep(microBatches, (batch) => sftLoss(model, batch));
    expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
    expect(first.learningRate).toBeCloseTo(2e-3, 12);
    expect(last.learningRate).toBe(1e-2);
    expect(last.step).toBe(50);
    expect(first.loss).toBeGreaterThan(2);
    expect(last.loss).toBeLessThan(first.loss / 4);
    optimizer.dispose();
    model.dispose();
    // 50 steps take a few seconds on a machine shared with other jobs.
  }, 60000);

  it("accumulates equal micro-batches to the full-batch gradient and clips to the norm limit", () => {
    const model = TransformerModel.create(tinyConfig, { seed: 2 });
    const optimizer = new PolicyOptimizer(model, { learningRate: 0, maxGradientNorm: 1e-3 });
    const whole = optimizer.trainStep([rows], (batch) => sftLoss(model, batch));
    const split = optimizer.trainStep(splitIntoMicroBatches(rows, 1), (batch) => sftLoss(model, batch));
    expect(split.gradientNorm).toBeCloseTo(whole.gradientNorm, 5);
    expect(split.loss).toBeCloseTo(whole.loss, 5);
    expect(whole.gradientNorm).toBeGreaterThan(1e-2);
    // Adam's first moment after one step is (1 - beta1) times the clipped gradient.
    const moments = optimizer.exportState().firstMoments.flatMap((moment) => Array.from(moment.data));
    expect(Math.hypot(...moments)).toBeCloseTo(0.1 * 1e-3 * (1 + 0.9), 6);
    optimizer.dispose();
    model.dispose();
  });

  it("restores its moments and step from exported state", () => {
    const model = TransformerModel.create(tinyConfig, { seed: 3 });
    const optimizer = new PolicyOptimizer(model, { learningRate: 1e-3 });
    optimizer.trainStep([rows], (batch) => sftLoss(model, batch));
    const state = optimizer.exportState();
    const other = new PolicyOptimizer(model, { learningRate: 1e-3 });
    other.loadState(state);
    expect(other.step).toBe(1);
    expect(other.exportState()).toEqual(state);
    expect(() => other.loadState({ ...state, firstMoments: state.firstMoments.slice(1) })).toThrow(
      /"adam_m.token_embedding": missing/,
    );
    // A bad second-moment list leaves the first moments untouched too.
    const fresh = new PolicyOptimizer(model, { learningRate: 1e-3 });
    expect(() => fresh.loadState({ ...state, secondMoments: state.secondMoments.slice(2) })).toThrow(/adam_v/);
    expect(fresh.exportState().firstMoments[0]!.data.every((value) => value === 0)).toBe(true);
    expect(fresh.step).toBe(0);
    fresh.dispose();
    optimizer.dispose();
    other.dispose();
    model.dispose();
  });
});
