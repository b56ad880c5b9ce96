import { describe, expect, it } from "vitest";
import { TransformerModel } from "../model/transformer-model.js";
import { tinyConfig, useTestBackend } from "../test-backend.test-helper.js";
import { ModelWorkerPool } from "../workers/model-worker-pool.js";
import { batchLogProbs } from "./batch-log-probs.js";
import { logProbsInWorkers } from "./log-probs-in-workers.js";
import { PolicyOptimizer, splitIntoMicroBatches } from "./policy-optimizer.js";
import { SFT_LOSS_MODULE } from "./sft-loss.js";

const rows = [3, 4, 5, 6, 7, 8].map((token) => ({ tokens: [1, token, token + 1, token, 2], promptLength: 2 }));
const batches = splitIntoMicroBatches(rows, 2).map((chunk, index) => ({
  rows: chunk,
  temperature: index === 1 ? 0.7 : 1,
  columns: 4,
}));

describe("logProbsInWorkers", () => {
  it("gives this thread's numbers bit for bit, and keeps the reference in the worker while the policy trains there", async () => {
    await useTestBackend();
    const policy = TransformerModel.create(tinyConfig, { seed: 21 });
    const reference = policy.clone();
    const expected = batches.map((batch) => batchLogProbs(reference, batch));
    expect(expected[0]).toHaveLength(2 * 4);
    expect(await logProbsInWorkers(reference, batches, { workerPool: null })).toEqual(expected);
    const pool = new ModelWorkerPool(1, "wasm");
    const optimizer = new PolicyOptimizer(policy, { learningRate: 1e-2 });
    try {
      // The worker takes batch 1, the largest by cost; this thread the others.
      expect(await logProbsInWorkers(reference, batches, { workerPool: pool, costs: [1, 3, 1] })).toEqual(expected);
      // Training the policy in the same worker sends it the policy's weights; the reference stays.
      await optimizer.trainStepInWorkers(splitIntoMicroBatches(rows, 3), SFT_LOSS_MODULE, { workerPool: pool });
      const trained = batches.map((batch) => batchLogProbs(policy, batch));
      expect(trained).not.toEqual(expected);
      expect(await logProbsInWorkers(reference, batches, { workerPool: pool })).toEqual(expected);
      expect(await logProbsInWorkers(policy, batches, { workerPool: pool })).toEqual(trained);
    } finally {
      optimizer.dispose();
      await pool.terminate();
      policy.dispose();
      reference.dispose();
    }
  }, 60000);
});
