/**
 * Speed of the reference model (d_model 128, 4 layers, 4 heads, context 64, vocab 64, batch 32)
 * on every backend that starts here: KV-cache decode, decode without cache, and training steps.
 *
 *   pnpm --filter @ibtpo/policy-tfjs bench                      # every backend present
 *   pnpm --filter @ibtpo/policy-tfjs bench -- --backends wasm    # one backend
 */
import os from "node:os";
import {
  type BackendChoice,
  PolicyOptimizer,
  selectBackend,
  sftLoss,
  splitIntoMicroBatches,
  TfjsPolicy,
  TransformerModel,
} from "../src/index.js";

const reference = { vocabSize: 64, contextLength: 64, modelDimension: 128, layers: 4, heads: 4 };
const batch = 32;
const argumentValue = (name: string) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const backends = (argumentValue("--backends") ?? "node-gpu,node,wasm,cpu").split(",") as BackendChoice[];
const microBatchRows = Number(argumentValue("--micro-batch") ?? batch);

/** Wall time, and the process's CPU time (all threads): on a shared machine the second is steadier. */
function measure<T>(run: () => T): { result: T; seconds: number; cpuSeconds: number } {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const result = run();
  const cpu = process.cpuUsage(cpuStart);
  return { result, seconds: (performance.now() - start) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

async function timeDecode(model: TransformerModel, kvCache: boolean, steps: number, workers = 0) {
  // No end token, so every row runs the full number of steps.
  const policy = new TfjsPolicy(model, { eosToken: -1, kvCache, maxBatchSize: batch, workers });
  const requests = Array.from({ length: batch }, (_, row) => ({
    prefix: [1, 3 + (row % 60)],
    settings: { maxTokens: steps, temperature: 1, seed: row },
  }));
  // A full-length warm-up: the wasm heap grows to its peak once, and workers start and get weights.
  await policy.generate(requests.map((r) => ({ ...r, settings: { ...r.settings, seed: r.settings.seed + 1000 } })));
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const generations = await policy.generate(requests);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  await policy.dispose();
  const tokens = generations.reduce((sum, g) => sum + g.tokens.length, 0);
  return {
    text: `${((seconds * 1000) / steps).toFixed(2)} ms/step (cpu ${((cpu.user + cpu.system) / 1000 / steps).toFixed(2)}), ${(tokens / seconds).toFixed(0)} tok/s`,
  };
}

function timeTraining(model: TransformerModel, steps: number) {
  const optimizer = new PolicyOptimizer(model, { learningRate: 1e-4 });
  const rows = Array.from({ length: batch }, (_, row) => ({
    tokens: Array.from({ length: reference.contextLength }, (_, position) => 3 + ((row * 7 + position * 3) % 60)),
    promptLength: 8,
  }));
  const microBatches = splitIntoMicroBatches(rows, microBatchRows);
  const step = () => optimizer.trainStep(microBatches, (microBatch) => sftLoss(model, microBatch));
  step();
  const timing = measure(() => {
    for (let index = 0; index < steps; index++) step();
  });
  optimizer.dispose();
  const seconds = timing.seconds / steps;
  return `${seconds.toFixed(3)} s/step (cpu ${(timing.cpuSeconds / steps).toFixed(3)}) of ${batch * reference.contextLength} tokens, ${((batch * reference.contextLength) / seconds).toFixed(0)} tok/s`;
}

console.log(`machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, Node ${process.version}`);
console.log(`model: ${JSON.stringify(reference)}, batch ${batch}, training micro-batch ${microBatchRows} rows`);
for (const backend of backends) {
  try {
    await selectBackend({ backend, log: () => {} });
  } catch (error) {
    console.log(`${backend}: skipped (${(error as Error).message})`);
    continue;
  }
  const slow = backend === "cpu";
  const model = TransformerModel.create(reference, { seed: 0 });
  const cached = await timeDecode(model, true, 62);
  const threaded = slow ? null : await timeDecode(model, true, 62, 1);
  const uncached = await timeDecode(model, false, slow ? 16 : 62);
  const training = timeTraining(model, slow ? 1 : 5);
  model.dispose();
  console.log(`${backend}: decode, KV cache:            ${cached.text}`);
  if (threaded) console.log(`${backend}: decode, KV cache, 1 worker:  ${threaded.text}`);
  console.log(`${backend}: decode, no cache:            ${uncached.text}`);
  console.log(`${backend}: training (fwd+bwd+clip+Adam): ${training}`);
}
