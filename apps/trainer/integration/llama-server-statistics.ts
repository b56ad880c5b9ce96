/**
 * Sampling statistics of the same checkpoint through llama.cpp's `llama-server` (its GGUF export)
 * and through `ibtpo serve`: mean reward, Eff-Rate and trajectories per 1k tokens over the same
 * prompts, each with a 95% interval over prompts (mean +- 1.96 standard errors), and whether the
 * two intervals overlap.
 *
 *   IBTPO_LLAMA_SERVER=$(integration/build-llama-server.sh | tail -n 1) \
 *     npx tsx integration/llama-server-statistics.ts [--prompts 64] [--budget 128] [--sampler ib-tree]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { formatMeanInterval } from "@ibtpo/bench-harness";
import { loadCheckpoint, selectBackend } from "@ibtpo/policy-tfjs";
import type { PromptSample } from "@ibtpo/tree-sampler";
import { cpuModel } from "../bench/cpu-model.js";
import { exportPolicy } from "../src/export/export-policy.js";
import { sampleRollouts } from "../src/serve/sample-rollouts.js";
import { startLlamaServer } from "./llama-server-process.js";
import { startIbtpoServe } from "./start-ibtpo-serve.js";

const { values } = parseArgs({
  options: {
    prompts: { type: "string", default: "64" },
    budget: { type: "string", default: "128" },
    sampler: { type: "string", default: "ib-tree" },
    seed: { type: "string", default: "11" },
  },
});
const binary = process.env.IBTPO_LLAMA_SERVER;
if (!binary) throw new Error("set IBTPO_LLAMA_SERVER to a llama-server binary (integration/build-llama-server.sh)");
const checkpoint = resolve(import.meta.dirname, "../../../checkpoints/countdown-base");

interface Interval {
  readonly mean: number;
  readonly low: number;
  readonly high: number;
}

function interval(samples: readonly number[]): Interval {
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  const variance = samples.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (samples.length - 1);
  const half = 1.96 * Math.sqrt(variance / samples.length);
  return { mean, low: mean - half, high: mean + half };
}

const METRICS = {
  "mean reward": (sample: PromptSample) => sample.statistics.meanReward,
  "Eff-Rate": (sample: PromptSample) => (sample.statistics.effective ? 1 : 0),
  "trajectories per 1k tokens": (sample: PromptSample) => sample.statistics.trajectoriesPer1kTokens,
} as const;

await selectBackend({ backend: "wasm", log: () => {} });
const folder = await mkdtemp(join(tmpdir(), "ibtpo-llama-stats-"));
const gguf = join(folder, "countdown-base.gguf");
await exportPolicy(checkpoint, "gguf", gguf);
const loaded = await loadCheckpoint(checkpoint);
const contextLength = loaded.model.config.contextLength;
loaded.model.dispose();
const llama = await startLlamaServer(binary, gguf, contextLength);
const ibtpoServer = await startIbtpoServe(checkpoint);
try {
  const run = async (server: string, extra: Record<string, unknown>) => {
    const started = performance.now();
    const result = await sampleRollouts({
      server,
      task: "countdown",
      taskOptions: { numbers: 3 }, // as countdown-base was trained (its manifest.json)
      sampler: values.sampler as "ib-tree",
      budget: Number(values.budget),
      prompts: Number(values.prompts),
      seed: Number(values.seed),
      split: "train",
      out: join(folder, `rollouts-${Math.random().toString(36).slice(2)}.jsonl`),
      ...extra,
    });
    return { samples: result.samples, seconds: (performance.now() - started) / 1000 };
  };
  const viaLlama = await run(llama.url, { eosToken: 2, stepDelimiterToken: 20, entropy: "none" });
  const viaIbtpo = await run(ibtpoServer.url, { entropy: "none" });
  const cpu = cpuModel();
  console.log(
    `countdown-base, ${values.sampler}, ${values.prompts} prompts (seed ${values.seed}), budget ${values.budget} tokens per prompt, temperature 1`,
  );
  console.log(`machine: ${cpus().length} cores (${cpu}), Node ${process.version}`);
  console.log("");
  console.log("| statistic | llama-server (GGUF) | ibtpo serve | intervals overlap |");
  console.log("| --- | --- | --- | --- |");
  for (const [name, pick] of Object.entries(METRICS)) {
    const ours = interval(viaIbtpo.samples.map(pick));
    const theirs = interval(viaLlama.samples.map(pick));
    const overlap = ours.low <= theirs.high && theirs.low <= ours.high;
    console.log(
      `| ${name} | ${formatMeanInterval(theirs)} | ${formatMeanInterval(ours)} | ${overlap ? "yes" : "NO"} |`,
    );
  }
  console.log(
    `| wall time (s) | ${viaLlama.seconds.toFixed(1)} | ${viaIbtpo.seconds.toFixed(1)} | (one run each, shared machine) |`,
  );
} finally {
  await ibtpoServer.stop();
  await llama.stop();
  await rm(folder, { recursive: true, force: true });
}
