import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { type KlEstimator, lossAggregations } from "../option-choices.js";
import { disposeLossDiagnostics } from "./loss-diagnostics.js";
import { policyLoss, type TfjsPolicyLossOptions } from "./policy-loss.js";
import { disposeAll, handBatch, handTensors } from "./worked-batch.test-helper.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

// Central differences in float32: step h = 1e-2 in logp / entropy; the hand batch keeps every
// ratio at least 15% (in log space) from a clip edge, so no step crosses a kink. Roundoff is about
// 6e-8 x |loss| / h ~ 2e-5 and truncation h^2 x |f'''| / 6 ~ 1e-4, so the tolerance is
// |autodiff - finite difference| <= 1e-3 + 1e-2 x |finite difference|.
const step = 1e-2;
const absoluteTolerance = 1e-3;
const relativeTolerance = 1e-2;

function lossValue(logp: number[], entropy: number[], options: TfjsPolicyLossOptions): number {
  return tf.tidy(() => {
    const tensors = handTensors();
    const result = policyLoss(
      {
        ...tensors,
        logp: tf.tensor2d(logp, handBatch.shape),
        entropy: tf.tensor2d(entropy, handBatch.shape),
      },
      options,
    );
    const value = result.loss.arraySync();
    disposeLossDiagnostics(result.diagnostics);
    return value;
  });
}

/** Gradients by autodiff; the entropy's is all zeros when no term uses it (tf.grads refuses unused inputs). */
function autodiff(options: TfjsPolicyLossOptions): { logp: number[]; entropy: number[] } {
  const tensors = handTensors();
  const usesEntropy = (options.entropyCoefficient ?? 0) !== 0;
  const grads = tf.grads((...inputs: tf.Tensor[]) => {
    const entropy = (usesEntropy ? inputs[1] : tensors.entropy) as tf.Tensor2D;
    const result = policyLoss({ ...tensors, logp: inputs[0] as tf.Tensor2D, entropy }, options);
    disposeLossDiagnostics(result.diagnostics);
    return result.loss;
  })(usesEntropy ? [tensors.logp, tensors.entropy] : [tensors.logp]);
  const read = {
    logp: Array.from(grads[0]?.dataSync() ?? []),
    entropy: usesEntropy ? Array.from(grads[1]?.dataSync() ?? []) : new Array<number>(6).fill(0),
  };
  tf.dispose(grads);
  disposeAll(tensors);
  return read;
}

function finiteDifferences(options: TfjsPolicyLossOptions): { logp: number[]; entropy: number[] } {
  const logp = handTensors().logp.arraySync().flat();
  const entropy = [...handBatch.entropy];
  const differentiate = (which: "logp" | "entropy") =>
    (which === "logp" ? logp : entropy).map((_, index) => {
      const shifted = (delta: number) => {
        const point = (which === "logp" ? logp : entropy).slice();
        point[index] = (point[index] as number) + delta;
        return which === "logp" ? lossValue(point, entropy, options) : lossValue(logp, point, options);
      };
      return (shifted(step) - shifted(-step)) / (2 * step);
    });
  return { logp: differentiate("logp"), entropy: differentiate("entropy") };
}

function expectClose(actual: number[], expected: number[]): void {
  expected.forEach((value, index) => {
    const error = Math.abs((actual[index] as number) - value);
    expect(error, `component ${index}: ${actual[index]} vs ${value}`).toBeLessThanOrEqual(
      absoluteTolerance + relativeTolerance * Math.abs(value),
    );
  });
}

const cases: { name: string; options: TfjsPolicyLossOptions }[] = [];
for (const lossAggregation of lossAggregations) {
  for (const dualClip of [null, 3]) {
    cases.push({
      name: `${lossAggregation}, dual clip ${dualClip}`,
      options: { lossAggregation, dualClip, clipHigh: 0.28 },
    });
  }
  for (const klEstimator of ["k1", "k2", "k3"] as KlEstimator[]) {
    cases.push({
      name: `${lossAggregation}, KL ${klEstimator} + entropy bonus`,
      options: { lossAggregation, klEstimator, klCoefficient: 0.3, entropyCoefficient: 0.2 },
    });
  }
}

describe("finite-difference gradient checks (float32)", () => {
  it.each(cases)("$name", ({ options }) => {
    const analytic = autodiff(options);
    const numeric = finiteDifferences(options);
    expectClose(analytic.logp, numeric.logp);
    expectClose(analytic.entropy, numeric.entropy);
    // Padding gets no gradient, and the checks are not vacuous.
    expect(analytic.logp[5]).toBe(0);
    expect(Math.max(...analytic.logp.map(Math.abs))).toBeGreaterThan(0.05);
  });

  it("gives -A m / sum(m) on the first update (oldLogp = stopgrad(logp), token-mean)", () => {
    const tensors = handTensors();
    const [gradient] = tf.grads((logp: tf.Tensor) => {
      const result = policyLoss({ logp: logp as tf.Tensor2D, advantages: tensors.advantages, mask: tensors.mask });
      disposeLossDiagnostics(result.diagnostics);
      return result.loss;
    })([tensors.logp]);
    const expected = handBatch.advantages.map((a, index) => (-a * (handBatch.mask[index] as number)) / 5);
    Array.from(gradient?.dataSync() ?? []).forEach((value, index) => {
      expect(value).toBeCloseTo(expected[index] as number, 6);
    });
    gradient?.dispose();
    disposeAll(tensors);
  });
});
