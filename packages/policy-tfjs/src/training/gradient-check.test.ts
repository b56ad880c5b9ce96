import { Mulberry32, scrambleSeed } from "@ibtpo/random";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { addSameShape, maskedSoftmax, reshape } from "../model/copy-free-ops.js";
import { withUncopiedSaves } from "../model/custom-gradient.js";
import { groupedProduct } from "../model/grouped-product.js";
import { TransformerModel } from "../model/transformer-model.js";
import { tinyConfig, useTestBackend } from "../test-backend.test-helper.js";
import { responseLogProbs } from "./response-log-probs.js";
import { sftLoss } from "./sft-loss.js";

beforeAll(useTestBackend);

const rows = [
  { tokens: [1, 4, 5, 6, 7, 2], promptLength: 2 },
  { tokens: [1, 3, 9, 8, 2], promptLength: 3 },
];

/** A loss with every differentiable output of the training forward: log-probs and entropies. */
function rlLikeLoss(model: TransformerModel): tf.Scalar {
  return tf.tidy(() => {
    const { logprobs, entropies, mask } = responseLogProbs(model, rows, { temperature: 0.8 });
    const advantages = tf.tensor2d([
      [1, -0.5, 2, 0.3],
      [-1, 0.7, 0, 0],
    ]);
    const policyTerm = tf.neg(tf.div(tf.sum(tf.mul(logprobs, advantages)), tf.sum(mask)));
    return tf.sub(policyTerm, tf.mul(tf.div(tf.sum(entropies), tf.sum(mask)), 0.3)) as tf.Scalar;
  });
}

/**
 * For every weight tensor, the analytic directional derivative along a random unit direction must
 * match the central finite difference of the float32 loss.
 */
function checkGradients(model: TransformerModel, loss: (model: TransformerModel) => tf.Scalar): void {
  const variables = model.variables();
  const { grads, value } = tf.variableGrads(() => loss(model), variables);
  // Layers take plain ops outside a gradient tape and custom-gradient ops inside; same values.
  const plainValue = tf.tidy(() => loss(model).dataSync()[0]!);
  expect(value.dataSync()[0]).toBeCloseTo(plainValue, 6);
  value.dispose();
  const random = new Mulberry32(scrambleSeed(11));
  const epsilon = 1e-2;
  let sizeable = 0;
  model.specs.forEach((spec, index) => {
    const variable = variables[index]!;
    const original = Float32Array.from(variable.dataSync() as Float32Array);
    const direction = Float32Array.from(original, () => random.nextNormal());
    const norm = Math.hypot(...direction);
    direction.forEach((_, i) => {
      direction[i]! /= norm;
    });
    const gradient = grads[variable.name]!.dataSync() as Float32Array;
    const analytic = gradient.reduce((sum, g, i) => sum + g * direction[i]!, 0);
    const lossAt = (step: number) => {
      variable.assign(
        tf.tensor(
          original.map((w, i) => w + step * direction[i]!),
          variable.shape,
        ),
      );
      return tf.tidy(() => loss(model).dataSync()[0]!);
    };
    const numeric = (lossAt(epsilon) - lossAt(-epsilon)) / (2 * epsilon);
    variable.assign(tf.tensor(original, variable.shape));
    if (Math.abs(analytic) > 1e-2) sizeable++;
    expect(Math.abs(numeric - analytic), `${spec.name}: analytic ${analytic} numeric ${numeric}`).toBeLessThan(
      2e-3 + 2e-2 * Math.abs(analytic),
    );
  });
  tf.dispose(grads);
  // Guard against a vacuous pass: most weights must have a clearly non-zero derivative.
  expect(sizeable).toBeGreaterThan(model.specs.length / 2);
}

describe("gradients of the training forward", () => {
  it("match finite differences for learned positions and an untied output", () => {
    const model = TransformerModel.create({ ...tinyConfig, initScale: 0.3 }, { seed: 2 });
    checkGradients(model, (m) => sftLoss(m, rows));
    model.dispose();
  });

  it("match finite differences for sinusoidal positions and tied embeddings", () => {
    const model = TransformerModel.create(
      { ...tinyConfig, initScale: 0.3, positional: "sinusoidal", tieEmbeddings: true },
      { seed: 3 },
    );
    checkGradients(model, (m) => sftLoss(m, rows));
    model.dispose();
  });

  it("match finite differences for a policy-gradient loss with an entropy bonus at temperature 0.8", () => {
    const model = TransformerModel.create({ ...tinyConfig, initScale: 0.3 }, { seed: 4 });
    checkGradients(model, rlLikeLoss);
    model.dispose();
  });
});

describe("gradients with saved tensors kept uncopied", () => {
  it("are the copying path's gradients bit for bit, and every kept tensor is freed", () => {
    const model = TransformerModel.create({ ...tinyConfig, initScale: 0.3 }, { seed: 5 });
    const gradients = () => {
      const { grads, value } = tf.variableGrads(() => rlLikeLoss(model), model.variables());
      const data = model.variables().map((variable) => Array.from(grads[variable.name]!.dataSync()));
      tf.dispose([grads, value]);
      return data;
    };
    const copied = gradients();
    const before = tf.memory().numTensors;
    const uncopied = withUncopiedSaves(gradients);
    expect(tf.memory().numTensors).toBe(before);
    expect(uncopied).toEqual(copied);
    model.dispose();
  });
});

describe("gradients of the ops that keep no copies", () => {
  it("match tfjs's own reshape, add and softmax gradients", () => {
    const random = new Mulberry32(scrambleSeed(41));
    const values = (count: number) => Float32Array.from({ length: count }, () => random.nextNormal());
    const [scores, other, mask, weights] = [values(24), values(24), values(6), values(24)];
    const lossOf = (softmax: typeof maskedSoftmax, add: typeof addSameShape, shape: typeof reshape) => {
      const biasTensor = tf.tensor3d(mask, [2, 1, 3]);
      const weightTensor = tf.tensor2d(weights, [6, 4]);
      return (a: tf.Tensor, b: tf.Tensor) => {
        const probabilities = softmax(shape<tf.Tensor3D>(add(a, b), [2, 4, 3]), biasTensor);
        return tf.sum(tf.mul(shape(probabilities, [6, 4]), weightTensor));
      };
    };
    const gradientsOf = (loss: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) =>
      tf.tidy(() =>
        tf
          .grads(loss)([tf.tensor2d(scores, [4, 6]), tf.tensor2d(other, [4, 6])])
          .map((g) => Array.from(g.dataSync())),
      );
    const tfjsOwn = lossOf(
      ((x: tf.Tensor, bias: tf.Tensor) => tf.softmax(tf.add(x, bias))) as typeof maskedSoftmax,
      ((a: tf.Tensor, b: tf.Tensor) => tf.add(a, b)) as typeof addSameShape,
      ((x: tf.Tensor, shape: number[]) => tf.reshape(x, shape)) as typeof reshape,
    );
    const expected = gradientsOf(tfjsOwn);
    const actual = gradientsOf(lossOf(maskedSoftmax, addSameShape, reshape));
    expect(actual.flat().some((value) => Math.abs(value) > 1e-3)).toBe(true);
    actual.flat().forEach((value, index) => {
      expect(value).toBeCloseTo(expected.flat()[index]!, 6);
    });
  });
});

describe("gradients of the grouped product behind attention", () => {
  it("match finite differences of the product computed in float64", () => {
    const [m, k, g, n] = [5, 4, 3, 6];
    const random = new Mulberry32(scrambleSeed(31));
    const a = Float64Array.from({ length: m * k * g }, () => random.nextNormal());
    const b = Float64Array.from({ length: k * g * n }, () => random.nextNormal());
    const weights = Float64Array.from({ length: m * g * n }, () => random.nextNormal());
    // loss = sum over out[m, g, n] * weights[m, g, n], with out[m, g, n] = sum_k a[m, k, g] b[k, g, n].
    const lossOf = (left: Float64Array, right: Float64Array) => {
      let loss = 0;
      for (let row = 0; row < m; row++)
        for (let group = 0; group < g; group++)
          for (let column = 0; column < n; column++) {
            let product = 0;
            for (let inner = 0; inner < k; inner++) {
              product += left[(row * k + inner) * g + group]! * right[(inner * g + group) * n + column]!;
            }
            loss += product * weights[(row * g + group) * n + column]!;
          }
      return loss;
    };
    const [gradientA, gradientB, value] = tf.tidy(() => {
      const weightTensor = tf.tensor3d(Float32Array.from(weights), [m, g, n]);
      const loss = (left: tf.Tensor, right: tf.Tensor) =>
        tf.sum(tf.mul(groupedProduct(left as tf.Tensor3D, right as tf.Tensor3D), weightTensor));
      const { grads, value: lossValue } = tf.valueAndGrads(loss)([
        tf.tensor3d(Float32Array.from(a), [m, k, g]),
        tf.tensor3d(Float32Array.from(b), [k, g, n]),
      ]);
      return [grads[0]!.dataSync(), grads[1]!.dataSync(), lossValue.dataSync()[0]!];
    });
    expect(value).toBeCloseTo(lossOf(a, b), 4);
    const step = 1e-4;
    for (const [input, gradient] of [
      [a, gradientA],
      [b, gradientB],
    ] as const) {
      input.forEach((original, index) => {
        input[index] = original + step;
        const above = lossOf(a, b);
        input[index] = original - step;
        const below = lossOf(a, b);
        input[index] = original;
        expect(gradient[index]!).toBeCloseTo((above - below) / (2 * step), 4);
      });
    }
  });
});
