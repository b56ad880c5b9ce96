import { fileURLToPath } from "node:url";
import { Mulberry32, scrambleSeed } from "@ibtpo/random";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../checkpoint/checkpoint.js";
import { useTestBackend } from "../test-backend.test-helper.js";
import { leftPaddedLayout } from "./batch-layout.js";
import { TransformerModel } from "./transformer-model.js";

/**
 * The model written the plain way, with tfjs's own ops and gradients only: fused QKV product and
 * split, batched matMuls for attention, LayerNorm from moments, GELU with tanh. The model's
 * forward (grouped products, three projections, closed-form gradients) must match it.
 */
function referenceHidden(model: TransformerModel, tokens: tf.Tensor2D, positions: tf.Tensor2D, bias: tf.Tensor4D) {
  const c = model.config;
  const [batch, time] = tokens.shape;
  const d = c.modelDimension;
  const headDimension = d / c.heads;
  const w = (name: string) => model.weight(name) as tf.Tensor as tf.Tensor2D;
  const oneHotRows = (ids: tf.Tensor2D, size: number) =>
    tf.cast(tf.oneHot(tf.reshape(ids, [-1]) as tf.Tensor1D, size), "float32") as tf.Tensor2D;
  const layerNorm = (x: tf.Tensor2D, prefix: string) => {
    const { mean, variance } = tf.moments(x, -1, true);
    const normalised = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, c.layerNormEpsilon)));
    return tf.add(tf.mul(normalised, w(`${prefix}.gain`)), w(`${prefix}.bias`)) as tf.Tensor2D;
  };
  const gelu = (x: tf.Tensor2D) =>
    tf.mul(
      tf.mul(x, 0.5),
      tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))),
    );
  const heads = (rows: tf.Tensor) =>
    tf.transpose(tf.reshape(rows, [batch, time, c.heads, headDimension]), [0, 2, 1, 3]);
  let x = tf.add(
    tf.matMul(oneHotRows(tokens, c.vocabSize), w("token_embedding")),
    tf.matMul(oneHotRows(positions, c.contextLength), w("position_embedding")),
  ) as tf.Tensor2D;
  for (let layer = 0; layer < c.layers; layer++) {
    const p = `layers.${layer}`;
    const qkv = tf.add(
      tf.matMul(layerNorm(x, `${p}.norm1`), w(`${p}.attention.qkv.weight`)),
      w(`${p}.attention.qkv.bias`),
    );
    const [q, k, v] = tf.split(qkv, 3, 1);
    const scores = tf.add(tf.div(tf.matMul(heads(q!), heads(k!), false, true), Math.sqrt(headDimension)), bias);
    const context = tf.matMul(tf.softmax(scores), heads(v!));
    const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch * time, d]);
    x = tf.add(
      x,
      tf.add(tf.matMul(merged, w(`${p}.attention.output.weight`)), w(`${p}.attention.output.bias`)),
    ) as tf.Tensor2D;
    const up = gelu(tf.add(tf.matMul(layerNorm(x, `${p}.norm2`), w(`${p}.mlp.up.weight`)), w(`${p}.mlp.up.bias`)));
    x = tf.add(x, tf.add(tf.matMul(up, w(`${p}.mlp.down.weight`)), w(`${p}.mlp.down.bias`))) as tf.Tensor2D;
  }
  return layerNorm(x, "final_norm");
}

const config = { vocabSize: 13, contextLength: 12, modelDimension: 24, layers: 2, heads: 3, initScale: 0.4 };
const lengths = [9, 5, 7];
let model: TransformerModel;
let inputs: { tokens: tf.Tensor2D; positions: tf.Tensor2D; bias: tf.Tensor4D; probe: tf.Tensor2D };

beforeAll(async () => {
  await useTestBackend();
  // Random (not initial) weights everywhere: biases and gains too, so every term matters.
  model = TransformerModel.create(config, { seed: 21 });
  const random = new Mulberry32(scrambleSeed(22));
  model.loadWeights(
    model.exportWeights().map((weight) => ({
      ...weight,
      data: weight.data.map((value) => value + 0.3 * random.nextNormal()),
    })),
  );
  const layout = leftPaddedLayout(lengths);
  const width = layout.width;
  const tokens = Int32Array.from({ length: lengths.length * width }, () =>
    Math.floor(random.next() * config.vocabSize),
  );
  inputs = {
    tokens: tf.tensor2d(tokens, [lengths.length, width], "int32"),
    positions: tf.tensor2d(layout.positions(0, width), [lengths.length, width], "int32"),
    bias: tf.tensor4d(layout.attentionBias(0, width), [lengths.length, 1, width, width]),
    probe: tf.randomNormal([lengths.length * width, config.modelDimension], 0, 1, "float32", 23),
  };
});
afterAll(() => {
  model.dispose();
  tf.dispose(inputs);
});

function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>): { absolute: number; scale: number } {
  let absolute = 0;
  let scale = 0;
  for (let index = 0; index < a.length; index++) {
    absolute = Math.max(absolute, Math.abs(a[index]! - b[index]!));
    scale = Math.max(scale, Math.abs(b[index]!));
  }
  return { absolute, scale };
}

describe("the model's forward and backward against a plain tfjs implementation", () => {
  it("gives the same hidden rows", () => {
    const expected = tf.tidy(() => referenceHidden(model, inputs.tokens, inputs.positions, inputs.bias).dataSync());
    const actual = tf.tidy(() =>
      model.hiddenStates(inputs.tokens, inputs.positions, inputs.bias, null).hidden.dataSync(),
    );
    const difference = largestDifference(actual, expected);
    expect(difference.scale).toBeGreaterThan(0.5);
    expect(difference.absolute).toBeLessThan(2e-5 * difference.scale);
  });

  it("gives the same loss and gradient for every weight inside a gradient tape", () => {
    const loss = (forward: () => tf.Tensor2D) => () => tf.sum(tf.mul(forward(), inputs.probe)) as tf.Scalar;
    const variables = model.variables();
    const expected = tf.variableGrads(
      loss(() => referenceHidden(model, inputs.tokens, inputs.positions, inputs.bias)),
      variables,
    );
    const actual = tf.variableGrads(
      loss(() => model.hiddenStates(inputs.tokens, inputs.positions, inputs.bias, null).hidden),
      variables,
    );
    expect(actual.value.dataSync()[0]).toBeCloseTo(expected.value.dataSync()[0]!, 3);
    model.specs.forEach((spec, index) => {
      const name = variables[index]!.name;
      // The output projection is not part of the hidden rows.
      if (spec.name === "output.weight") {
        expect(actual.grads[name]).toBeUndefined();
        return;
      }
      const difference = largestDifference(
        actual.grads[name]!.dataSync() as Float32Array,
        expected.grads[name]!.dataSync() as Float32Array,
      );
      expect(difference.scale, spec.name).toBeGreaterThan(1e-3);
      expect(difference.absolute, spec.name).toBeLessThan(1e-4 * difference.scale);
    });
    tf.dispose([expected.value, actual.value, expected.grads, actual.grads]);
  });
});

describe("a committed checkpoint", () => {
  it("loads and gives the plain implementation's hidden rows", async () => {
    const directory = fileURLToPath(new URL("../../../../checkpoints/countdown-base", import.meta.url));
    const { model: trained } = await loadCheckpoint(directory);
    const random = new Mulberry32(scrambleSeed(41));
    const rowLengths = [trained.config.contextLength, 10, 30];
    const layout = leftPaddedLayout(rowLengths);
    const width = layout.width;
    tf.tidy(() => {
      const tokens = tf.tensor2d(
        Int32Array.from({ length: rowLengths.length * width }, () =>
          Math.floor(random.next() * trained.config.vocabSize),
        ),
        [rowLengths.length, width],
        "int32",
      );
      const positions = tf.tensor2d(layout.positions(0, width), [rowLengths.length, width], "int32");
      const bias = tf.tensor4d(layout.attentionBias(0, width), [rowLengths.length, 1, width, width]);
      const expected = referenceHidden(trained, tokens, positions, bias).dataSync();
      const actual = trained.hiddenStates(tokens, positions, bias, null).hidden.dataSync();
      const difference = largestDifference(actual, expected);
      expect(difference.scale).toBeGreaterThan(0.5);
      expect(difference.absolute).toBeLessThan(2e-5 * difference.scale);
    });
    trained.dispose();
  });
});
