import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TransformerModel } from "../model/transformer-model.js";
import { tinyConfig, useTestBackend } from "../test-backend.test-helper.js";
import { ModelWorkerPool } from "./model-worker-pool.js";

let model: TransformerModel;
beforeAll(async () => {
  await useTestBackend();
  model = TransformerModel.create(tinyConfig, { seed: 1 });
});
afterAll(() => model.dispose());

const row = {
  prefix: Int32Array.of(1, 4),
  settings: { temperature: 1, topK: 0, topP: 1 },
  limit: 3,
  seed: 5,
  drawOffset: 0,
  stopTokens: new Set<number>(),
};
const options = { eosToken: 2, useCache: true, maxBatchSize: 8 };

describe("ModelWorkerPool", () => {
  it("decodes in a worker, and fails fast once the worker has stopped", async () => {
    const pool = new ModelWorkerPool(1, "wasm");
    const [decoded] = await pool.decode(0, model, [row], options);
    expect(decoded!.tokens.length).toBeGreaterThan(0);
    expect(decoded!.tokens.length).toBeLessThanOrEqual(3);
    await pool.terminate();
    await expect(pool.decode(0, model, [row], options)).rejects.toThrow(/exited/);
  }, 30000);
});
