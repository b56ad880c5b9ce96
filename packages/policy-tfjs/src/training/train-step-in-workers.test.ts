import { pathToFileURL } from "node:url";
import { Mulberry32, scrambleSeed } from "@ibtpo/random";
import type * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TransformerModel } from "../model/transformer-model.js";
import { TfjsPolicy } from "../sampling/tfjs-policy.js";
import { tinyConfig, useTestBackend } from "../test-backend.test-helper.js";
import { siblingModule } from "../util/sibling-module.js";
import { ModelWorkerPool } from "../workers/model-worker-pool.js";
import { type ClippedMicroBatch, loss as clippedLoss } from "./clipped-loss-module.fixture.js";
import { PolicyOptimizer, splitIntoMicroBatches } from "./policy-optimizer.js";
import { SFT_LOSS_MODULE, sftLoss } from "./sft-loss.js";

let serialModel: TransformerModel;
let parallelModel: TransformerModel;
beforeAll(async () => {
  await useTestBackend();
  serialModel = TransformerModel.create(tinyConfig, { seed: 12 });
  parallelModel = serialModel.clone();
});
afterAll(() => {
  serialModel.dispose();
  parallelModel.dispose();
});

const rows = [3, 4, 5, 6, 7, 8].map((token) => ({ tokens: [1, token, token + 1, token, 2], promptLength: 2 }));

describe("PolicyOptimizer.trainStepInWorkers", () => {
  it("takes the same steps as trainStep, sharing micro-batches with a worker thread", async () => {
    const options = { learningRate: 1e-2, weightDecay: 0.01 };
    const serial = new PolicyOptimizer(serialModel, options);
    const parallel = new PolicyOptimizer(parallelModel, options);
    const microBatches = splitIntoMicroBatches(rows, 2);
    try {
      for (let step = 0; step < 3; step++) {
        const expected = serial.trainStep(microBatches, (batch) => sftLoss(serialModel, batch));
        const actual = await parallel.trainStepInWorkers(microBatches, SFT_LOSS_MODULE);
        expect(actual.loss).toBeCloseTo(expected.loss, 5);
        expect(actual.gradientNorm).toBeCloseTo(expected.gradientNorm, 5);
        expect(actual.step).toBe(expected.step);
      }
      const expectedWeights = serialModel.exportWeights();
      parallelModel.exportWeights().forEach((weight, index) => {
        const reference = expectedWeights[index]!.data;
        const largest = weight.data.reduce((most, value, i) => Math.max(most, Math.abs(value - reference[i]!)), 0);
        expect(largest, weight.name).toBeLessThan(1e-5);
      });
    } finally {
      serial.dispose();
      parallel.dispose();
    }
  }, 60000);

  it("runs a clipped RL loss with reports to the same numbers in a worker, on this thread and through trainStep", async () => {
    const clippedModule = pathToFileURL(siblingModule(import.meta.url, "clipped-loss-module.fixture").path).href;
    const columns = 3;
    const random = new Mulberry32(scrambleSeed(5));
    const microBatches: ClippedMicroBatch[] = splitIntoMicroBatches(rows, 2).map((chunk) => ({
      rows: chunk,
      columns,
      // Old log-probs near the model's, so some ratios fall outside the clip range.
      oldLogprobs: Float32Array.from({ length: chunk.length * columns }, () => -2.4 + 0.6 * random.nextNormal()),
      advantages: Float32Array.from({ length: chunk.length * columns }, () => random.nextNormal()),
    }));
    const weights = [0.5, 0.3, 0.2];
    const start = serialModel.exportWeights();
    const runs = [];
    // Equal costs give the worker micro-batches 0 and 2; these give it micro-batch 1 alone.
    for (const mode of ["worker", "this thread", "trainStep", "worker, uneven costs"] as const) {
      const model = TransformerModel.create(tinyConfig, { seed: 0 });
      model.loadWeights(start);
      const optimizer = new PolicyOptimizer(model, { learningRate: 1e-2 });
      const results = [];
      for (let step = 0; step < 2; step++) {
        results.push(
          mode === "trainStep"
            ? optimizer.trainStep(microBatches, (batch) => (clippedLoss(model, batch) as { loss: tf.Scalar }).loss, {
                weights,
              })
            : await optimizer.trainStepInWorkers(microBatches, clippedModule, {
                weights,
                workers: mode === "this thread" ? 0 : 1,
                ...(mode === "worker, uneven costs" ? { costs: [1, 3, 2] } : {}),
              }),
        );
      }
      runs.push({ results, weights: model.exportWeights() });
      optimizer.dispose();
      model.dispose();
    }
    const [worker, local, closure, uneven] = runs as [
      (typeof runs)[0],
      (typeof runs)[0],
      (typeof runs)[0],
      (typeof runs)[0],
    ];
    for (const other of [local, closure, uneven]) {
      expect(other.weights).toEqual(worker.weights);
      other.results.forEach((result, step) => {
        expect(result.loss).toBe(worker.results[step]!.loss);
        expect(result.gradientNorm).toBe(worker.results[step]!.gradientNorm);
      });
    }
    expect(worker.weights).not.toEqual(start);
    const fractions = worker.results.map((result) =>
      result.reports!.map((report) => (report as { clipFraction: number }).clipFraction),
    );
    for (const other of [local, uneven]) {
      expect(fractions).toEqual(
        other.results.map((result) =>
          result.reports!.map((report) => (report as { clipFraction: number }).clipFraction),
        ),
      );
    }
    expect(fractions[0]).toHaveLength(3);
    expect(fractions.flat().some((fraction) => fraction > 0)).toBe(true);
  }, 60000);

  it("names a loss module export that is not a function", async () => {
    const optimizer = new PolicyOptimizer(parallelModel, { learningRate: 1e-3 });
    await expect(optimizer.trainStepInWorkers([rows], SFT_LOSS_MODULE, { exportName: "missing" })).rejects.toThrow(
      /export "missing" is not a function/,
    );
    optimizer.dispose();
  });

  it("names costs that do not match the micro-batches", async () => {
    const optimizer = new PolicyOptimizer(parallelModel, { learningRate: 1e-3 });
    await expect(
      optimizer.trainStepInWorkers([rows, rows], SFT_LOSS_MODULE, { costs: [1], workers: 0 }),
    ).rejects.toThrow("costs: 1 costs for 2 micro-batches");
    optimizer.dispose();
  });

  it("shares one pool between sampling and training, resending weights after each step", async () => {
    const pool = new ModelWorkerPool(1, "wasm");
    const optimizer = new PolicyOptimizer(parallelModel, { learningRate: 1e-2 });
    const requests = Array.from({ length: 16 }, (_, index) => ({
      prefix: [1, 3 + (index % 5)],
      settings: { maxTokens: 5, seed: index },
    }));
    try {
      for (let round = 0; round < 2; round++) {
        await optimizer.trainStepInWorkers(splitIntoMicroBatches(rows, 3), SFT_LOSS_MODULE, { workerPool: pool });
        const shared = await new TfjsPolicy(parallelModel, { eosToken: 2, workerPool: pool }).generate(requests);
        const local = await new TfjsPolicy(parallelModel, { eosToken: 2 }).generate(requests);
        expect(shared.map((g) => Array.from(g.tokens))).toEqual(local.map((g) => Array.from(g.tokens)));
      }
    } finally {
      optimizer.dispose();
      await pool.terminate();
    }
  }, 60000);
});
