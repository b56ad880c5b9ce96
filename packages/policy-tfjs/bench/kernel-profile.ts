/**
 * Where a step's time goes, kernel by kernel: `tf.profile` of one training step (forward,
 * backward, clipping, Adam) or of one 62-token KV-cache decode of the reference model on wasm,
 * summed by kernel name (or by name and input shapes with `--shapes`). The profiler times each
 * kernel on its own, so the absolute times are larger than in a plain run; the kernel counts and
 * shares are what compare.
 *
 *   node --import tsx bench/kernel-profile.ts train|decode [--shapes]
 */
import * as tf from "@tensorflow/tfjs";
import { parseScriptArguments, scriptFailure } from "../../../scripts/command-line.mjs";
import { PolicyOptimizer, selectBackend, sftLoss, TfjsPolicy, TransformerModel } from "../src/index.js";

const reference = { vocabSize: 64, contextLength: 64, modelDimension: 128, layers: 4, heads: 4 };
const batch = 32;
const decodeSteps = 62;
const {
  values: { shapes: byShapes },
  positionals,
} = parseScriptArguments(import.meta.url, {
  allowPositionals: true,
  options: { shapes: { type: "boolean", default: false } },
});
const workload = positionals[0] ?? "train";
if ((workload !== "train" && workload !== "decode") || positionals.length > 1)
  scriptFailure(import.meta.url)(`give one workload, train or decode, got "${positionals.join(" ")}"`);
await selectBackend({ backend: "wasm", log: () => {} });
const model = TransformerModel.create(reference, { seed: 0 });

async function report(run: () => unknown, units: number): Promise<void> {
  const profile = await tf.profile(async () => {
    await run();
  });
  const totals = new Map<string, { ms: number; count: number }>();
  let kernels = 0;
  let totalMs = 0;
  for (const kernel of profile.kernels) {
    // Custom-gradient wrappers and composite ops are timed around kernels that are listed too.
    if (kernel.name === "unnamed scope" || kernel.name.endsWith("__op")) continue;
    const ms = (await kernel.kernelTimeMs) as number;
    const key = byShapes ? `${kernel.name} ${JSON.stringify(kernel.inputShapes)}` : kernel.name;
    const total = totals.get(key) ?? { ms: 0, count: 0 };
    total.ms += ms;
    total.count++;
    totals.set(key, total);
    kernels++;
    totalMs += ms;
  }
  console.log(
    `${workload}: ${(kernels / units).toFixed(1)} kernels per ${workload === "train" ? "step" : "token-step"}`,
  );
  for (const [name, { ms, count }] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) {
    console.log(`${((100 * ms) / totalMs).toFixed(1).padStart(5)}% ${String(count).padStart(6)}x ${name}`);
  }
}

if (workload === "train") {
  const optimizer = new PolicyOptimizer(model, { learningRate: 1e-4 });
  const rows = Array.from({ length: batch }, (_, row) => ({
    tokens: Array.from({ length: reference.contextLength }, (_, position) => 3 + ((row * 7 + position * 3) % 60)),
    promptLength: 8,
  }));
  const step = () => optimizer.trainStep([rows], (microBatch) => sftLoss(model, microBatch));
  step();
  await report(step, 1);
} else {
  const policy = new TfjsPolicy(model, { eosToken: -1, kvCache: true, maxBatchSize: batch, workers: 0 });
  const requests = Array.from({ length: batch }, (_, row) => ({
    prefix: [1, 3 + (row % 60)],
    settings: { maxTokens: decodeSteps, temperature: 1, seed: row },
  }));
  await policy.generate(requests);
  await report(() => policy.generate(requests), decodeSteps);
}
