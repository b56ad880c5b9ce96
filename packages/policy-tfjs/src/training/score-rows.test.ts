import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TransformerModel } from "../model/transformer-model.js";
import { tinyConfig, useTestBackend } from "../test-backend.test-helper.js";
import { responseLogProbs } from "./response-log-probs.js";
import { scoreRows } from "./score-rows.js";

let model: TransformerModel;
beforeAll(async () => {
  await useTestBackend();
  model = TransformerModel.create(tinyConfig, { seed: 13 });
});
afterAll(() => model.dispose());

const rows = [
  { tokens: [1, 4, 5, 6, 2], promptLength: 2 },
  { tokens: [1, 3, 9], promptLength: 2 },
  { tokens: [1, 7, 7, 8, 9, 10, 2], promptLength: 3 },
];

describe("scoreRows", () => {
  it("returns each row's response values, the same in chunks as in one batch, without leaking tensors", () => {
    // The model keeps its folded products (and constants) from its first pass without gradients.
    scoreRows(model, rows.slice(0, 1));
    const before = tf.memory().numTensors;
    const chunked = scoreRows(model, rows, { chunkRows: 2, temperature: 0.9 });
    expect(tf.memory().numTensors).toBe(before);
    expect(chunked.map((score) => score.logprobs.length)).toEqual([3, 1, 4]);
    const whole = tf.tidy(() => responseLogProbs(model, rows, { temperature: 0.9 }).logprobs.arraySync());
    chunked.forEach((score, row) => {
      score.logprobs.forEach((value, column) => {
        expect(value).toBeCloseTo(whole[row]![column]!, 5);
      });
    });
    expect(() => scoreRows(model, rows, { chunkRows: 0 })).toThrow(/chunkRows/);
  });
});
