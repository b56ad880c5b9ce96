import { Mulberry32 } from "@ibtpo/random";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { normalDraws, runOnWasmBackend } from "../test-backend.test-helper.js";
import { type AdamConstants, adamOnHeap, gradientNormOnHeap } from "./adam-on-heap.js";
import { adamWithOps, gradientNormWithOps } from "./adam-step.js";

runOnWasmBackend();

const random = new Mulberry32(5);

describe("adamOnHeap", () => {
  const cases: [string, number, Partial<AdamConstants>][] = [
    ["a vector with a tail, clipped", 131, { clipScale: 0.37 }],
    ["a matrix, unclipped, with weight decay", 64 * 5, { decays: true, decay: 3e-5 }],
    ["three values, first step", 3, { stepSize: 1e-3 / (1 - 0.9), secondCorrection: 1 - 0.999 }],
  ];
  for (const [label, size, overrides] of cases) {
    it(`equals PolicyOptimizer's tfjs ops bit for bit: ${label}`, () => {
      const constants: AdamConstants = {
        clipScale: 1,
        beta1: 0.9,
        beta2: 0.999,
        stepSize: 1e-4 / (1 - 0.9 ** 7),
        secondCorrection: 1 - 0.999 ** 7,
        epsilon: 1e-8,
        decay: 0,
        decays: false,
        ...overrides,
      };
      const draw = (scale: number) => tf.tensor1d(normalDraws(random, size).map((value) => value * scale));
      const [param, gradient, first] = [draw(0.1), draw(0.01), draw(0.001)];
      const second = tf.abs(draw(1e-5));
      const result = adamOnHeap(param, gradient, first, second, constants)!;
      const kernel = [result.param, result.first, result.second].map((tensor) => tensor.dataSync().slice());
      // PolicyOptimizer's path off wasm: the kernel must equal it bit for bit.
      const ops = tf.tidy(() => {
        const update = adamWithOps(param, gradient, first, second, constants);
        return [update.param, update.first, update.second].map((tensor) => tensor.dataSync().slice());
      });
      tf.dispose([param, gradient, first, second, result.param, result.first, result.second]);
      expect(kernel).toEqual(ops);
    });
  }
});

describe("gradientNormOnHeap", () => {
  it("equals PolicyOptimizer's tfjs ops bit for bit", () => {
    const gradients = [131, 64 * 5, 3, 4096].map((size, index) =>
      tf.tensor1d(normalDraws(random, size).map((value) => value * 10 ** -index)),
    );
    const ops = gradientNormWithOps(gradients);
    const heap = gradientNormOnHeap(gradients);
    tf.dispose(gradients);
    expect(heap).toBe(ops);
  });
});
