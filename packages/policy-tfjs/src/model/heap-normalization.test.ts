import { Mulberry32 } from "@ibtpo/random";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { normalDraws, runOnWasmBackend } from "../test-backend.test-helper.js";
import {
  geluGradientOnHeap,
  geluOnHeap,
  geluWithGateOnHeap,
  layerNormGradientOnHeap,
  layerNormOnHeap,
  standardisedOnHeap,
} from "./heap-normalization.js";

runOnWasmBackend();

const random = new Mulberry32(11);
const draw = (length: number) => normalDraws(random, length);

describe("standardisedOnHeap", () => {
  for (const width of [1, 3, 4, 7, 128, 130]) {
    it(`gives (x - mean) / sqrt(var + epsilon) per row within float32 rounding (width ${width})`, () => {
      const rows = 5;
      const data = Float32Array.from(draw(rows * width), (value, index) => 3 * value + (index % 7) - 10);
      const x = tf.tensor3d(data, [1, rows, width]);
      const result = standardisedOnHeap(x, 1e-5);
      expect(result?.shape).toEqual([1, rows, width]);
      const out = result!.dataSync();
      tf.dispose([x, result!]);
      for (let row = 0; row < rows; row++) {
        const values = Array.from(data.subarray(row * width, (row + 1) * width));
        const mean = values.reduce((sum, value) => sum + value, 0) / width;
        const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / width;
        values.forEach((value, index) => {
          const expected = (value - mean) / Math.sqrt(variance + 1e-5);
          expect(Math.abs(out[row * width + index]! - expected)).toBeLessThan(2e-6 * Math.max(1, Math.abs(expected)));
        });
      }
    });
  }
});

describe("geluOnHeap", () => {
  const a = 2 * Math.sqrt(2 / Math.PI);
  const b = a * 0.044715;
  it("gives x * sigmoid(x (a + b x^2)) within float32 rounding", () => {
    // Large magnitudes saturate e^x's clamp.
    const data = Float32Array.from([...draw(4 * 37).map((value) => 4 * value), -100, 60, 0, -0.5]);
    const x = tf.tensor2d(data, [1, data.length]);
    const result = geluOnHeap(x, a, b);
    const out = result!.dataSync();
    tf.dispose([x, result!]);
    data.forEach((value, index) => {
      const expected = value / (1 + Math.exp(-value * (a + b * value * value)));
      expect(Math.abs(out[index]! - expected)).toBeLessThan(1e-6 * Math.max(1, Math.abs(expected)));
    });
  });

  it("leaves a size that is not a multiple of 4 to tfjs's ops", () => {
    const x = tf.ones([3, 5]);
    expect(geluOnHeap(x, a, b)).toBeUndefined();
    expect(geluWithGateOnHeap(x, a, b)).toBeUndefined();
    expect(geluGradientOnHeap(x, x, x, a, b)).toBeUndefined();
    x.dispose();
  });

  it("returns undefined off the wasm backend", async () => {
    await tf.setBackend("cpu");
    const x = tf.ones([2, 2]);
    expect(geluOnHeap(x, a, b)).toBeUndefined();
    expect(standardisedOnHeap(x, 1e-5)).toBeUndefined();
    x.dispose();
    await tf.setBackend("wasm");
  });
});

describe("layerNormOnHeap and layerNormGradientOnHeap", () => {
  for (const width of [3, 8, 130]) {
    it(`give LayerNorm and its closed-form gradient within float32 rounding (width ${width})`, () => {
      const rows = 6;
      const data = Float32Array.from(draw(rows * width), (value, index) => 2 * value + (index % 5));
      const [gainData, biasData, dyData] = [draw(width), draw(width), draw(rows * width)];
      const [x, gain, bias, dy] = [
        tf.tensor2d(data, [rows, width]),
        tf.tensor1d(gainData),
        tf.tensor1d(biasData),
        tf.tensor2d(dyData, [rows, width]),
      ];
      const forward = layerNormOnHeap(x, gain, bias, 1e-5)!;
      const [value, normalised, inverse] = [forward.value, forward.normalised, forward.inverseDeviation].map((tensor) =>
        tensor.dataSync().slice(),
      ) as [Float32Array, Float32Array, Float32Array];
      const gradients = layerNormGradientOnHeap(dy, forward.normalised, forward.inverseDeviation, gain)!;
      const [dx, dgain, dbias] = gradients.map((tensor) => tensor.dataSync().slice()) as [
        Float32Array,
        Float32Array,
        Float32Array,
      ];
      expect(gradients.map((tensor) => tensor.shape)).toEqual([[rows, width], [width], [width]]);
      tf.dispose([x, gain, bias, dy, forward.value, forward.normalised, forward.inverseDeviation, ...gradients]);
      const close = (actual: number, expected: number) =>
        expect(Math.abs(actual - expected)).toBeLessThan(5e-6 * Math.max(1, Math.abs(expected)));
      const expectedGain = new Float64Array(width);
      const expectedBias = new Float64Array(width);
      for (let row = 0; row < rows; row++) {
        const at = row * width;
        const values = Array.from(data.subarray(at, at + width));
        const mean = values.reduce((sum, v) => sum + v, 0) / width;
        const inverseDeviation = 1 / Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / width + 1e-5);
        close(inverse[row]!, inverseDeviation);
        const n = values.map((v) => (v - mean) * inverseDeviation);
        const dn = n.map((_, i) => dyData[at + i]! * gainData[i]!);
        const meanDn = dn.reduce((sum, v) => sum + v, 0) / width;
        const meanDnN = dn.reduce((sum, v, i) => sum + v * n[i]!, 0) / width;
        n.forEach((normal, i) => {
          close(normalised[at + i]!, normal);
          close(value[at + i]!, normal * gainData[i]! + biasData[i]!);
          close(dx[at + i]!, inverseDeviation * (dn[i]! - meanDn - normal * meanDnN));
          expectedGain[i]! += dyData[at + i]! * normal;
          expectedBias[i]! += dyData[at + i]!;
        });
      }
      expectedGain.forEach((expected, i) => {
        close(dgain[i]!, expected);
      });
      expectedBias.forEach((expected, i) => {
        close(dbias[i]!, expected);
      });
    });
  }
});

describe("geluWithGateOnHeap and geluGradientOnHeap", () => {
  it("give GELU, its gate, and dy * (s + x s (1 - s) (a + 3 b x^2)) within float32 rounding", () => {
    const a = 2 * Math.sqrt(2 / Math.PI);
    const b = a * 0.044715;
    const data = Float32Array.from([...draw(4 * 21).map((value) => 3 * value), -50, 40, 0, 0.25]);
    const dyData = draw(data.length);
    const [x, dy] = [tf.tensor2d(data, [1, data.length]), tf.tensor2d(dyData, [1, data.length])];
    const forward = geluWithGateOnHeap(x, a, b)!;
    const inference = geluOnHeap(x, a, b)!;
    const result = geluGradientOnHeap(x, forward.gate, dy, a, b)!;
    const [value, gate, plain, dx] = [forward.value, forward.gate, inference, result].map((tensor) =>
      tensor.dataSync(),
    );
    tf.dispose([x, dy, forward.value, forward.gate, inference, result]);
    // The passes with and without gradients compute GELU the same way.
    expect(Array.from(plain!)).toEqual(Array.from(value!));
    const close = (actual: number, expected: number) =>
      expect(Math.abs(actual - expected)).toBeLessThan(2e-6 * Math.max(1, Math.abs(expected)));
    data.forEach((v, index) => {
      const s = 1 / (1 + Math.exp(-v * (a + b * v * v)));
      close(gate![index]!, s);
      close(value![index]!, v * s);
      close(dx![index]!, dyData[index]! * (s + v * s * (1 - s) * (a + 3 * b * v * v)));
    });
  });
});
