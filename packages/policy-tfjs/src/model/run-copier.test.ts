import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { runOnWasmBackend } from "../test-backend.test-helper.js";
import { RunCopier, type Runs } from "./run-copier.js";
import { heapView } from "./wasm-heap.js";

runOnWasmBackend();

/** 3 runs of 4 floats, every 10 floats from float 2, and the same runs packed every 5 from float 1. */
const RUNS = 3;
const LENGTH = 4;
const source = Float32Array.from({ length: 32 }, (_, index) => index + 0.5);
const sourceRuns = (array: Float32Array): Runs => ({ array, at: 2, stride: 10 });
const targetRuns = (array: Float32Array): Runs => ({ array, at: 1, stride: 5 });
/** What the target holds after the copy: the runs where they go, `fill` everywhere else. */
function expected(fill: number): number[] {
  const target = new Array<number>(16).fill(fill);
  for (let run = 0; run < RUNS; run++) {
    for (let index = 0; index < LENGTH; index++) target[1 + run * 5 + index] = source[2 + run * 10 + index]!;
  }
  return target;
}

/** A tensor holding `data` on the wasm heap, and its heap view. */
function onHeap(data: Float32Array): { tensor: tf.Tensor1D; view: Float32Array } {
  const tensor = tf.tensor1d(data);
  return { tensor, view: heapView(tensor)! };
}

describe("RunCopier", () => {
  it("copies strided runs between host arrays and leaves the gaps alone", () => {
    const target = new Float32Array(16).fill(-1);
    RunCopier.open(64).copy(sourceRuns(source), targetRuns(target), RUNS, LENGTH);
    expect(Array.from(target)).toEqual(expected(-1));
  });

  it("gives the same copies on the wasm heap, from and to host arrays, with and without scratch", () => {
    expect(tf.getBackend()).toBe("wasm");
    for (const staged of [64, 0]) {
      for (const [from, to] of [
        ["heap", "heap"],
        ["host", "heap"],
        ["heap", "host"],
      ] as const) {
        const copier = RunCopier.open(staged);
        const heapSource = from === "heap" ? onHeap(source) : null;
        const heapTarget = to === "heap" ? onHeap(new Float32Array(16).fill(-1)) : null;
        const hostTarget = new Float32Array(16).fill(-1);
        copier.copy(sourceRuns(heapSource?.view ?? source), targetRuns(heapTarget?.view ?? hostTarget), RUNS, LENGTH);
        const result = heapTarget === null ? Array.from(hostTarget) : Array.from(heapTarget.tensor.dataSync());
        expect(result, `${from} to ${to}, scratch ${staged}`).toEqual(expected(-1));
        tf.dispose([heapSource?.tensor, heapTarget?.tensor].filter((tensor) => tensor !== undefined));
      }
    }
  });

  it("packs runs from the heap into a contiguous host target", () => {
    const { tensor, view } = onHeap(source);
    const target = new Float32Array(RUNS * LENGTH);
    RunCopier.open(RUNS * LENGTH).copy(sourceRuns(view), { array: target, at: 0, stride: LENGTH }, RUNS, LENGTH);
    expect(Array.from(target)).toEqual([2, 3, 4, 5, 12, 13, 14, 15, 22, 23, 24, 25].map((index) => index + 0.5));
    tensor.dispose();
  });
});
