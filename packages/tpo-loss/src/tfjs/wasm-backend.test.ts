import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { describe, expect, it } from "vitest";
import { readLossDiagnostics } from "./loss-diagnostics.js";
import { policyLoss, type TfjsPolicyLossOptions } from "./policy-loss.js";
import { disposeAll, handTensors } from "./worked-batch.test-helper.js";

const options: TfjsPolicyLossOptions = {
  clipLow: 0.2,
  clipHigh: 0.28,
  dualClip: 3,
  lossAggregation: "seq-mean-token-mean",
  klCoefficient: 0.3,
  klEstimator: "k3",
  entropyCoefficient: 0.2,
};

async function lossAndGradient(backend: string) {
  await tf.setBackend(backend);
  await tf.ready();
  const tensors = handTensors();
  let diagnostics: ReturnType<typeof policyLoss>["diagnostics"] | undefined;
  const { value, grads } = tf.valueAndGrads((logp: tf.Tensor) => {
    const result = policyLoss({ ...tensors, logp: logp as tf.Tensor2D }, options);
    diagnostics = result.diagnostics;
    return result.loss;
  })([tensors.logp]);
  const read = {
    loss: value.dataSync()[0] as number,
    gradient: Array.from(grads[0]?.dataSync() ?? []),
    diagnostics: diagnostics ? await readLossDiagnostics(diagnostics) : null,
  };
  value.dispose();
  tf.dispose(grads);
  disposeAll(tensors);
  return read;
}

describe("the wasm backend (the trainer's default)", () => {
  it("computes the same loss, gradient and diagnostics as the cpu backend", async () => {
    const cpu = await lossAndGradient("cpu");
    const wasm = await lossAndGradient("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(wasm.loss).toBeCloseTo(cpu.loss, 5);
    cpu.gradient.forEach((value, index) => {
      expect(wasm.gradient[index]).toBeCloseTo(value, 5);
    });
    expect(wasm.diagnostics?.clipFraction).toBeCloseTo(cpu.diagnostics?.clipFraction ?? Number.NaN, 6);
    expect(wasm.diagnostics?.terms.kl).toBeCloseTo(cpu.diagnostics?.terms.kl ?? Number.NaN, 5);
  });
});
