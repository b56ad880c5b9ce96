import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { tinyConfig, useTestBackend } from "../test-backend.test-helper.js";
import { responseLogProbs } from "../training/response-log-probs.js";
import { countParameters } from "./transformer-config.js";
import { TransformerModel } from "./transformer-model.js";

beforeAll(useTestBackend);

describe("TransformerModel", () => {
  it("counts its parameters like the config does and is reproducible from its seed", () => {
    for (const variant of [tinyConfig, { ...tinyConfig, tieEmbeddings: true, positional: "sinusoidal" as const }]) {
      const a = TransformerModel.create(variant, { seed: 3 });
      const b = TransformerModel.create(variant, { seed: 3 });
      const c = TransformerModel.create(variant, { seed: 4 });
      expect(a.parameterCount).toBe(countParameters(variant));
      const weightsA = a.exportWeights();
      expect(b.exportWeights()).toEqual(weightsA);
      expect(c.exportWeights()[0]!.data).not.toEqual(weightsA[0]!.data);
      for (const model of [a, b, c]) model.dispose();
    }
  });

  for (const tieEmbeddings of [true, false]) {
    it(`gives hiddenStates' logits of each row's last column from lastLogits, the final LayerNorm folded (tieEmbeddings ${tieEmbeddings})`, () => {
      const model = TransformerModel.create({ ...tinyConfig, tieEmbeddings, initScale: 0.5 }, { seed: 3 });
      // A final LayerNorm that is not the identity, so folding it is exercised.
      const weights = model.exportWeights().map((weight) =>
        weight.name.startsWith("final_norm")
          ? {
              ...weight,
              data: weight.data.map((_, index) => 0.5 + 0.1 * index - (weight.name.endsWith("bias") ? 0.4 : 0)),
            }
          : weight,
      );
      model.loadWeights(weights);
      const [batch, time] = [3, 4];
      const tokens = tf.tensor2d(
        Int32Array.from({ length: batch * time }, (_, index) => (index * 7) % tinyConfig.vocabSize),
        [batch, time],
        "int32",
      );
      const positions = tf.tensor2d(
        Int32Array.from({ length: batch * time }, (_, index) => index % time),
        [batch, time],
        "int32",
      );
      const causal = Float32Array.from({ length: batch * time * time }, (_, index) =>
        index % time > Math.floor(index / time) % time ? -1e9 : 0,
      );
      const bias = tf.tensor4d(causal, [batch, 1, time, time]);
      const expected = tf.tidy(() => {
        const { hidden } = model.hiddenStates(tokens, positions, bias, null);
        const last = tf.reshape(tf.slice(tf.reshape(hidden, [batch, time, -1]), [0, time - 1, 0], [-1, 1, -1]), [
          batch,
          -1,
        ]);
        return model.logits(last as tf.Tensor2D).arraySync();
      });
      const { logits } = model.lastLogits(tokens, positions, bias, null);
      const actual = logits.arraySync();
      actual.forEach((row, index) => {
        row.forEach((value, column) => {
          expect(value).toBeCloseTo(expected[index]![column]!, 4);
        });
      });
      // Weights that change give logits of the new weights (the folded product follows them).
      model.loadWeights(
        model
          .exportWeights()
          .map((weight) =>
            weight.name === "final_norm.gain" ? { ...weight, data: weight.data.map(() => 2) } : weight,
          ),
      );
      const changed = model.lastLogits(tokens, positions, bias, null).logits.arraySync();
      expect(changed[0]![0]).not.toBeCloseTo(actual[0]![0]!, 3);
      expect(() => tf.grad(() => tf.sum(model.lastLogits(tokens, positions, bias, null).logits))(tf.scalar(1))).toThrow(
        "lastLogits runs without gradients",
      );
      tf.dispose([tokens, positions, bias, logits]);
      model.dispose();
    });
  }

  it("clones into an independent copy", () => {
    const model = TransformerModel.create(tinyConfig, { seed: 8 });
    const copy = model.clone();
    expect(copy.exportWeights()).toEqual(model.exportWeights());
    copy.weight("final_norm.bias").assign(tf.ones([tinyConfig.modelDimension]));
    expect(model.weight("final_norm.bias").dataSync()[0]).toBe(0);
    model.dispose();
    copy.dispose();
  });

  it("gives a row the same log-probs alone and left-padded in a batch with longer rows", () => {
    for (const positional of ["learned", "sinusoidal"] as const) {
      const model = TransformerModel.create({ ...tinyConfig, positional }, { seed: 5 });
      const row = { tokens: [1, 4, 5, 6, 7, 2], promptLength: 2 };
      const other = { tokens: [1, 3, 3, 3, 3, 8, 9, 2, 10], promptLength: 5 };
      tf.tidy(() => {
        const alone = responseLogProbs(model, [row]);
        const batched = responseLogProbs(model, [other, row]);
        const aloneValues = alone.logprobs.arraySync()[0]!;
        const batchedValues = batched.logprobs.arraySync()[1]!.slice(0, 4);
        batchedValues.forEach((value, index) => {
          expect(value).toBeCloseTo(aloneValues[index]!, 5);
        });
        expect(batched.mask.arraySync()).toEqual([
          [1, 1, 1, 1],
          [1, 1, 1, 1],
        ]);
        const entropies = batched.entropies.arraySync().flat();
        for (const entropy of entropies) {
          expect(entropy).toBeGreaterThan(0);
          expect(entropy).toBeLessThanOrEqual(Math.log(tinyConfig.vocabSize) + 1e-5);
        }
      });
      model.dispose();
    }
  });

  it("pads its outputs to a requested column count", () => {
    const model = TransformerModel.create(tinyConfig, { seed: 6 });
    const rows = [{ tokens: [1, 4, 5, 2], promptLength: 2 }];
    tf.tidy(() => {
      const narrow = responseLogProbs(model, rows);
      const wide = responseLogProbs(model, rows, { columns: 5 });
      expect(wide.logprobs.shape).toEqual([1, 5]);
      expect(wide.mask.arraySync()).toEqual([[1, 1, 0, 0, 0]]);
      expect(wide.logprobs.arraySync()[0]!.slice(0, 2)).toEqual(narrow.logprobs.arraySync()[0]);
      expect(() => responseLogProbs(model, rows, { columns: 1 })).toThrow(/columns: is 1/);
    });
    model.dispose();
  });

  it("rejects rows that do not fit, naming the row", () => {
    const model = TransformerModel.create(tinyConfig, { seed: 1 });
    expect(() => responseLogProbs(model, [{ tokens: [1, 2], promptLength: 0 }])).toThrow(/rows\[0\]: promptLength 0/);
    expect(() =>
      responseLogProbs(model, [
        { tokens: [1, 2], promptLength: 1 },
        { tokens: [1, 99], promptLength: 1 },
      ]),
    ).toThrow(/rows\[1\].tokens\[1\]: token 99/);
    expect(() => responseLogProbs(model, [{ tokens: new Array(17).fill(1), promptLength: 1 }])).toThrow(
      /context length 16/,
    );
    model.dispose();
  });
});
