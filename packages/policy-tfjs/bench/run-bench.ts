/**
 * Speed of the reference model (d_model 128, 4 layers, 4 heads, context 64, vocab 64, batch 32)
 * on every backend that starts here: KV-cache decode, decode without cache, and training steps,
 * with the training step and the KV-cache decode step as ratios to their floor (FLOPs over this
 * machine's measured 2-D matMul rate).
 *
 *   pnpm --filter @ibtpo/policy-tfjs bench                      # every backend present
 *   pnpm --filter @ibtpo/policy-tfjs bench -- --backends wasm    # one backend
 *   pnpm --filter @ibtpo/policy-tfjs bench -- --backends wasm --floors-only   # only the floor ratios
 */
import os from "node:os";
import { integerOption, parseScriptArguments, scriptFailure } from "../../../scripts/command-line.mjs";
import {
  BACKEND_ORDER,
  type BackendChoice,
  PolicyOptimizer,
  SFT_LOSS_MODULE,
  selectBackend,
  sftLoss,
  splitIntoMicroBatches,
  TfjsPolicy,
  TransformerModel,
} from "../src/index.js";
import { cpuModel, decodeFlops, measureMatMulRate, trainingStepFlops } from "./flop-floor.js";

const reference = { vocabSize: 64, contextLength: 64, modelDimension: 128, layers: 4, heads: 4 };
const batch = 32;
const { values } = parseScriptArguments(import.meta.url, {
  options: {
    backends: { type: "string", default: BACKEND_ORDER.join(",") },
    "micro-batch": { type: "string", default: String(batch) },
    // Decode throughput at a larger batch, where per-op overhead is shared by more rows.
    "wide-batch": { type: "string", default: "128" },
    // Only the two figures with a floor (single-thread training step and KV-cache decode): quicker to repeat.
    "floors-only": { type: "boolean", default: false },
  },
});
const fail: (message: string) => never = scriptFailure(import.meta.url);
const isBackend = (name: string): name is BackendChoice => (BACKEND_ORDER as readonly string[]).includes(name);
const backends = values.backends
  .split(",")
  .map((name) => (isBackend(name) ? name : fail(`--backends: no backend "${name}" (${BACKEND_ORDER.join(", ")})`)));
const microBatchRows = integerOption(import.meta.url, "--micro-batch", values["micro-batch"]);
const wideDecodeBatch = integerOption(import.meta.url, "--wide-batch", values["wide-batch"]);
const floorsOnly = values["floors-only"];
const decodeSteps = 62;
const decodePrefix = 2;
const trainingPromptLength = 8;

/** Wall and CPU time (all threads) of one run; on a shared machine CPU time is the steadier. */
async function measure(run: () => unknown): Promise<{ seconds: number; cpuSeconds: number }> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await run();
  const cpu = process.cpuUsage(cpuStart);
  return { seconds: (performance.now() - start) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** Best, median and mean of `repeats` runs, per `unit` (a decode step or a training step). */
async function repeat(repeats: number, units: number, run: () => unknown) {
  const runs: { seconds: number; cpuSeconds: number }[] = [];
  for (let index = 0; index < repeats; index++) runs.push(await measure(run));
  const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const mean = runs.reduce((sum, r) => sum + r.seconds, 0) / repeats;
  const sorted = runs.map((r) => r.seconds).sort((a, b) => a - b);
  const median = (sorted[(repeats - 1) >> 1]! + sorted[repeats >> 1]!) / 2;
  return { best: best.seconds / units, bestCpu: best.cpuSeconds / units, mean: mean / units, median: median / units };
}

/**
 * `time / floor` for the best and the median run, where floor = FLOPs / the measured matMul rate;
 * and the same by CPU time (best run's CPU time over the floor at the CPU-time rate).
 */
function floorRatio(
  label: string,
  flops: number,
  timing: { best: number; median: number; bestCpu: number },
  rate: { wall: number; cpu: number },
): string {
  const floor = flops / (rate.wall * 1e9);
  const cpuFloor = flops / (rate.cpu * 1e9);
  const ms = (seconds: number) => (seconds * 1000).toFixed(2);
  return `${label}: ${(flops / 1e9).toFixed(3)} GFLOP, floor ${ms(floor)} ms; best ${ms(timing.best)} ms = ${(timing.best / floor).toFixed(2)}x floor, median ${ms(timing.median)} ms = ${(timing.median / floor).toFixed(2)}x floor; by CPU time ${ms(timing.bestCpu)} ms = ${(timing.bestCpu / cpuFloor).toFixed(2)}x its floor`;
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
  return {
    timing,
    text: `best ${ms(timing.best)} ms/step (cpu ${ms(timing.bestCpu)}), mean ${ms(timing.mean)}; best ${(rows / timing.best).toFixed(0)} tok/s`,
  };
}

async function timeTraining(model: TransformerModel, steps: number, workers = 0) {
  const optimizer = new PolicyOptimizer(model, { learningRate: 1e-4 });
  const rows = Array.from({ length: batch }, (_, row) => ({
    tokens: Array.from({ length: reference.contextLength }, (_, position) => 3 + ((row * 7 + position * 3) % 60)),
    promptLength: trainingPromptLength,
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
  return {
    timing,
    text: `best ${timing.best.toFixed(3)} s/step (cpu ${timing.bestCpu.toFixed(3)}), mean ${timing.mean.toFixed(3)}; best ${(tokens / timing.best).toFixed(0)} tok/s (${tokens} tokens/step)`,
  };
}

console.log(`machine: ${cpuModel()}, ${os.cpus().length} cores, Node ${process.version}`);
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
  // Measured before and after the timed work; the higher rate (the stricter floor) is used.
  const rateBefore = measureMatMulRate(batch * (reference.contextLength - 1), reference.modelDimension);
  const cached = await timeDecode(model, true, decodeSteps, repeats);
  const training = await timeTraining(model, slow ? 1 : 5);
  const rateAfter = measureMatMulRate(batch * (reference.contextLength - 1), reference.modelDimension);
  const rate = { wall: Math.max(rateBefore.wall, rateAfter.wall), cpu: Math.max(rateBefore.cpu, rateAfter.cpu) };
  const trainingFlops = trainingStepFlops(reference, {
    rows: batch,
    tokens: reference.contextLength,
    promptLength: trainingPromptLength,
  });
  const stepFlops = decodeFlops(reference, { rows: batch, prefix: decodePrefix, steps: decodeSteps }) / decodeSteps;
  console.log(
    `${backend}: 2-D matMul rate:              ${rate.wall.toFixed(1)} GFLOP/s (by CPU time ${rate.cpu.toFixed(1)}; dense-layer shapes of the training step)`,
  );
  console.log(`${backend}: ${floorRatio("training step, 2048 tokens", trainingFlops, training.timing, rate)}`);
  console.log(`${backend}: ${floorRatio(`decode per token-step, ${batch} rows`, stepFlops, cached.timing, rate)}`);
  console.log(`${backend}: decode, KV cache:             ${cached.text}`);
  console.log(`${backend}: training (fwd+bwd+clip+Adam): ${training.text}`);
  if (!floorsOnly) {
    const threaded = slow ? null : await timeDecode(model, true, decodeSteps, repeats, 1);
    const wide = slow ? null : await timeDecode(model, true, decodeSteps, 3, 0, wideDecodeBatch);
    const uncached = await timeDecode(model, false, slow ? 16 : decodeSteps, slow ? 1 : 2);
    const trainingInWorker = slow ? null : await timeTraining(model, 5, 1);
    if (threaded) console.log(`${backend}: decode, KV cache, 1 worker:   ${threaded.text}`);
    if (wide) console.log(`${backend}: decode, KV cache, ${wideDecodeBatch} rows:   ${wide.text}`);
    console.log(`${backend}: decode, no cache:             ${uncached.text}`);
    if (trainingInWorker) console.log(`${backend}: training, 1 worker:           ${trainingInWorker.text}`);
  }
  model.dispose();
}
