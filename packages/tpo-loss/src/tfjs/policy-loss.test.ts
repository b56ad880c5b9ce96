import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { TpoLossInputError } from "../errors.js";
import { disposeLossDiagnostics, readLossDiagnostics } from "./loss-diagnostics.js";
import type { TfjsPolicyLossOptions } from "./policy-loss.js";
import { policyLoss } from "./policy-loss.js";
import type { Regularizer } from "./regularizer.js";
import { disposeAll, handBatch, handTensors } from "./worked-batch.test-helper.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const clipHigher = { clipLow: 0.2, clipHigh: 0.28 };
// Token losses of the hand batch (see clipped-surrogate.test.ts): row 0 [-1.28, -0.5, -2.2],
// row 1 [0.8, 4, (padding)]; with dual clip 3 the 4 becomes 3.
const rowSums = { zero: -1.28 - 0.5 - 2.2, one: 0.8 + 4 };

async function evaluate(options: TfjsPolicyLossOptions, withoutRef = false) {
  const inputs = handTensors();
  const { refLogp, ...rest } = inputs;
  const result = policyLoss(withoutRef ? rest : inputs, options);
  const loss = (await result.loss.data())[0] as number;
  result.loss.dispose();
  const diagnostics = await readLossDiagnostics(result.diagnostics);
  disposeAll(inputs);
  return { loss, diagnostics };
}

describe("policyLoss (worked by hand)", () => {
  it("aggregates the clipped surrogate in each mode", async () => {
    const tokenMean = await evaluate({ ...clipHigher, lossAggregation: "token-mean" });
    expect(tokenMean.loss).toBeCloseTo((rowSums.zero + rowSums.one) / 5, 5); // 0.164
    const seqMean = await evaluate({ ...clipHigher, lossAggregation: "seq-mean-token-mean" });
    expect(seqMean.loss).toBeCloseTo((rowSums.zero / 3 + rowSums.one / 2) / 2, 5);
    const sumNorm = await evaluate({ ...clipHigher, lossAggregation: "seq-mean-token-sum-norm" });
    expect(sumNorm.loss).toBeCloseTo((rowSums.zero + rowSums.one) / (2 * 3), 5);
    const dual = await evaluate({ ...clipHigher, dualClip: 3 });
    expect(dual.loss).toBeCloseTo((rowSums.zero + rowSums.one - 1) / 5, 5); // -0.036
  });

  it("reports clip fractions, approximate KL and mean entropy", async () => {
    const { diagnostics } = await evaluate({ ...clipHigher, dualClip: 3 });
    expect(diagnostics.clipFraction).toBeCloseTo(2 / 5, 6);
    expect(diagnostics.clipFractionHigh).toBeCloseTo(1 / 5, 6); // A=1, r=1.5
    expect(diagnostics.clipFractionLow).toBeCloseTo(1 / 5, 6); // A=-1, r=0.5
    expect(diagnostics.dualClipFraction).toBeCloseTo(1 / 5, 6);
    // mean(oldLogp - logp) = -ln(1.5 x 0.5 x 1.1 x 0.5 x 4) / 5
    expect(diagnostics.approxKl).toBeCloseTo(-Math.log(1.65) / 5, 5);
    expect(diagnostics.meanEntropy).toBeCloseTo(7.5 / 5, 6);
    expect(diagnostics.policy).toBeCloseTo(diagnostics.loss, 6);
    expect(diagnostics.terms).toEqual({});
  });

  it("adds the entropy bonus and the KL term as plugins, each estimator by hand", async () => {
    const policy = (rowSums.zero + rowSums.one) / 5;
    const gaps = handBatch.klGap.slice(0, 5); // the trained tokens
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const expectedKl = {
      k1: mean(gaps), // 0.14
      k2: mean(gaps.map((d) => (d * d) / 2)), // 0.039
      k3: mean(gaps.map((d) => Math.exp(-d) + d - 1)),
    };
    for (const klEstimator of ["k1", "k2", "k3"] as const) {
      const { loss, diagnostics } = await evaluate({
        ...clipHigher,
        klCoefficient: 0.5,
        klEstimator,
        entropyCoefficient: 0.1,
      });
      expect(diagnostics.terms.kl).toBeCloseTo(expectedKl[klEstimator], 5);
      expect(diagnostics.terms.entropy).toBeCloseTo(-1.5, 6);
      expect(loss).toBeCloseTo(policy + 0.5 * expectedKl[klEstimator] - 0.1 * 1.5, 5);
      expect(diagnostics.loss).toBeCloseTo(loss, 6);
    }
  });

  it("takes the entropy bonus as the token-mean entropy whatever the loss aggregation", async () => {
    // Row means of the entropy are 1 and 2.25: a sequence mean would give 1.625, a sum over
    // rows x length 7.5 / 6 = 1.25; the token mean is 7.5 / 5 = 1.5 in every mode.
    for (const lossAggregation of ["token-mean", "seq-mean-token-mean", "seq-mean-token-sum-norm"] as const) {
      const { diagnostics } = await evaluate({ ...clipHigher, lossAggregation, entropyCoefficient: 0.1 });
      expect(diagnostics.terms.entropy).toBeCloseTo(-1.5, 6);
    }
  });

  it("accepts a user-defined regulariser", async () => {
    const advantageSquare: Regularizer = {
      name: "advantage-weighted-logp",
      coefficient: 2,
      term: (batch, outputs) => batch.aggregate(tf.mul(batch.advantages, outputs.logp)),
    };
    const { loss, diagnostics } = await evaluate({ ...clipHigher, regularizers: [advantageSquare] });
    const logp = handBatch.oldLogp.map((old, index) => old + Math.log(handBatch.ratios[index] as number));
    const term =
      [0, 1, 2, 3, 4].reduce((sum, i) => sum + (handBatch.advantages[i] as number) * (logp[i] as number), 0) / 5;
    expect(diagnostics.terms["advantage-weighted-logp"]).toBeCloseTo(term, 5);
    expect(loss).toBeCloseTo((rowSums.zero + rowSums.one) / 5 + 2 * term, 5);
  });

  it("uses ratio 1 and reports zero KL when oldLogp is omitted", async () => {
    const inputs = handTensors();
    const result = policyLoss({ logp: inputs.logp, advantages: inputs.advantages, mask: inputs.mask });
    // -sum(A) / 5 over the trained tokens: -(1 + 1 + 2 - 1 - 1) / 5.
    expect(result.loss.arraySync()).toBeCloseTo(-2 / 5, 6);
    const diagnostics = await readLossDiagnostics(result.diagnostics);
    expect(diagnostics.approxKl).toBe(0);
    expect(diagnostics.meanEntropy).toBeNull();
    result.loss.dispose();
    disposeAll(inputs);
  });
});

describe("policyLoss errors and memory", () => {
  it("names the tensor, the option or the regulariser at fault", async () => {
    const inputs = handTensors();
    const wrong = tf.zeros([3, 2]);
    expect(() => policyLoss({ ...inputs, mask: wrong as tf.Tensor2D })).toThrow(
      /input mask: has shape \[3,2\], expected \[2,3\] like logp/,
    );
    const { refLogp: _unused, ...withoutRef } = inputs;
    expect(() => policyLoss(withoutRef, { klCoefficient: 0.1 })).toThrow(/input refLogp: is missing/);
    expect(() => policyLoss(inputs, { clipLow: -0.1 })).toThrow(TpoLossInputError);
    const twice: Regularizer = { name: "kl", coefficient: 1, term: () => tf.scalar(0) };
    expect(() => policyLoss(inputs, { klCoefficient: 0.1, regularizers: [twice] })).toThrow(
      /regularizer 1: name 'kl' is already taken/,
    );
    wrong.dispose();
    disposeAll(inputs);
  });

  it("leaks no tensor through a gradient step, nor when a term throws", () => {
    const inputs = handTensors();
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) {
      let diagnostics: ReturnType<typeof policyLoss>["diagnostics"] | undefined;
      const { value, grads } = tf.valueAndGrads((logp: tf.Tensor) => {
        const result = policyLoss(
          { ...inputs, logp: logp as tf.Tensor2D },
          { ...clipHigher, dualClip: 3, klCoefficient: 0.1, entropyCoefficient: 0.01 },
        );
        diagnostics = result.diagnostics;
        return result.loss;
      })([inputs.logp]);
      value.dispose();
      tf.dispose(grads);
      if (diagnostics) disposeLossDiagnostics(diagnostics);
    }
    expect(tf.memory().numTensors).toBe(before);
    const failing: Regularizer = {
      name: "failing",
      coefficient: 1,
      term: () => {
        throw new Error("boom");
      },
    };
    expect(() => policyLoss(inputs, { regularizers: [failing] })).toThrow("boom");
    expect(tf.memory().numTensors).toBe(before);
    disposeAll(inputs);
  });
});
