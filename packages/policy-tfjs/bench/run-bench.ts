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
  SFT_LOSS_MODULE,
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
// Decode throughput at a larger batch, where per-op overhead is shared by more rows.
const wideDecodeBatch = Number(argumentValue("--wide-batch") ?? 128);

/** Wall and CPU time (all threads) of one run; on a shared machine CPU time is the steadier. */
async function measure(run: () => unknown): Promise<{ seconds: number; cpuSeconds: number }> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await run();
  const cpu = process.cpuUsage(cpuStart);
  return { seconds: (performance.now() - start) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** Best and mean of `repeats` runs, per `unit` (a decode step or a training step). */
async function repeat(repeats: number, units: number, run: () => unknown) {
  const runs: { seconds: number; cpuSeconds: number }[] = [];
  for (let index = 0; index < repeats; index++) runs.push(await measure(run));
  const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const mean = runs.reduce((sum, r) => sum + r.seconds, 0) / repeats;
  return { best: best.seconds / units, bestCpu: best.cpuSeconds / units, mean: mean / units };
}

async function timeDecode(
  model: TransformerModel,
  kvCache: boolean,
  steps: number,
  repeats: number,
  workers = 0,
  rows = batch,
) {
  // No end token, so every row runs the full number of steps.
  const policy = new TfjsPolicy(model, { eosToken: -1, kvCache, maxBatchSize: rows, workers });
  const requests = Array.from({ length: rows }, (_, row) => ({
    prefix: [1, 3 + (row % 60)],
    settings: { maxTokens: steps, temperature: 1, seed: row },
  }));
  // A full-length warm-up: the wasm heap grows to its peak once, and workers start and get weights.
  await policy.generate(requests);
  const timing = await repeat(repeats, steps, () => policy.generate(requests));
  await policy.dispose();
  const ms = (seconds: number) => (seconds * 1000).toFixed(2);
  return `best ${ms(timing.best)} ms/step (cpu ${ms(timing.bestCpu)}), mean ${ms(timing.mean)}; best ${(rows / timing.best).toFixed(0)} tok/s`;
}

async function timeTraining(model: TransformerModel, steps: number, workers = 0) {
  const optimizer = new PolicyOptimizer(model, { learningRate: 1e-4 });
  const rows = Array.from({ length: batch }, (_, row) => ({
    tokens: Array.from({ length: reference.contextLength }, (_, position) => 3 + ((row * 7 + position * 3) % 60)),
    promptLength: 8,
  }));
  // With a worker, each of the two threads takes one half of the batch.
  const microBatches = splitIntoMicroBatches(rows, workers > 0 ? Math.ceil(batch / (workers + 1)) : microBatchRows);
  const step = () =>
    workers > 0
      ? optimizer.trainStepInWorkers(microBatches, SFT_LOSS_MODULE, { workers })
      : optimizer.trainStep(microBatches, (microBatch) => sftLoss(model, microBatch));
  await step();
  const timing = await repeat(steps, 1, step);
  optimizer.dispose();
  const tokens = batch * reference.contextLength;
  return `best ${timing.best.toFixed(3)} s/step (cpu ${timing.bestCpu.toFixed(3)}), mean ${timing.mean.toFixed(3)}; best ${(tokens / timing.best).toFixed(0)} tok/s (${tokens} tokens/step)`;
}

console.log(`machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, Node ${process.version}`);
console.log(`model: ${JSON.stringify(reference)}, batch ${batch}, training micro-batch ${microBatchRows} rows`);
console.log(
  `load average at start: ${os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(", ")}`,
);
for (const backend of backends) {
  try {
    await selectBackend({ backend, log: () => {} });
  } catch (error) {
    console.log(`${backend}: skipped (${(error as Error).message})`);
    continue;
  }
  const slow = backend === "cpu";
  const model = TransformerModel.create(reference, { seed: 0 });
  const repeats = slow ? 1 : 5;
  const cached = await timeDecode(model, true, 62, repeats);
  const threaded = slow ? null : await timeDecode(model, true, 62, repeats, 1);
  const wide = slow ? null : await timeDecode(model, true, 62, 3, 0, wideDecodeBatch);
  const uncached = await timeDecode(model, false, slow ? 16 : 62, slow ? 1 : 2);
  const training = await timeTraining(model, slow ? 1 : 5);
  const trainingInWorker = slow ? null : await timeTraining(model, 5, 1);
  model.dispose();
  console.log(`${backend}: decode, KV cache:             ${cached}`);
  if (threaded) console.log(`${backend}: decode, KV cache, 1 worker:   ${threaded}`);
  if (wide) console.log(`${backend}: decode, KV cache, ${wideDecodeBatch} rows:   ${wide}`);
  console.log(`${backend}: decode, no cache:             ${uncached}`);
  console.log(`${backend}: training (fwd+bwd+clip+Adam): ${training}`);
  if (trainingInWorker) console.log(`${backend}: training, 1 worker:           ${trainingInWorker}`);
}
