/**
 * Decode throughput by batch rows: KV-cache decode of `--steps` tokens from an 8-token prefix for
 * each row count, best of five, on wasm, for a checkpoint's model (default: the reference model of
 * run-bench.ts with random weights). A step's cost has a part every row pays and a part the step
 * pays once (dispatch of its kernels, the products' set-up); tokens per second by rows shows
 * where the second stops mattering, which is what a sampler that decodes few rows at a time (a
 * tree's rounds) pays.
 *
 *   node --import tsx bench/decode-rows.ts [--checkpoint ../../checkpoints/line-walk-base] [--rows 8,32,256] [--steps 20]
 */
import os from "node:os";
import { integerOption, parseScriptArguments } from "../../../scripts/command-line.mjs";
import { loadCheckpoint, selectBackend, TfjsPolicy, TransformerModel } from "../src/index.js";
import { cpuModel } from "./flop-floor.js";

const { values } = parseScriptArguments(import.meta.url, {
  options: {
    checkpoint: { type: "string" },
    rows: { type: "string", default: "8,16,32,64,128,256" },
    steps: { type: "string", default: "20" },
  },
});
const rowCounts = values.rows.split(",").map((rows) => integerOption(import.meta.url, "--rows", rows));
const steps = integerOption(import.meta.url, "--steps", values.steps);
await selectBackend({ backend: "wasm", log: () => {} });
const model =
  values.checkpoint === undefined
    ? TransformerModel.create(
        { vocabSize: 64, contextLength: 64, modelDimension: 128, layers: 4, heads: 4 },
        { seed: 0 },
      )
    : (await loadCheckpoint(values.checkpoint)).model;
const { vocabSize, contextLength } = model.config;
if (8 + steps > contextLength) {
  console.error(`decode-rows: 8 prefix tokens + --steps ${steps} pass the model's context of ${contextLength}`);
  process.exit(2);
}
console.log(
  `machine: ${cpuModel()}, ${os.cpus().length} cores, Node ${process.version}; load average ${os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(", ")}; model ${JSON.stringify(model.config)}`,
);
console.log("| rows | ms / step (best of 5) | tokens / s | x the largest row count's |");
console.log("| --- | --- | --- | --- |");
const results: { rows: number; ms: number }[] = [];
for (const rows of rowCounts) {
  // No end token, so every row decodes every step; prefixes vary by row.
  const policy = new TfjsPolicy(model, { eosToken: -1, kvCache: true, maxBatchSize: rows, workers: 0 });
  const requests = Array.from({ length: rows }, (_, row) => ({
    prefix: Array.from({ length: 8 }, (_, position) => (row + 3 * position) % vocabSize),
    settings: { maxTokens: steps, temperature: 1, seed: row },
  }));
  await policy.generate(requests);
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    await policy.generate(requests);
    best = Math.min(best, performance.now() - start);
  }
  await policy.dispose();
  results.push({ rows, ms: best / steps });
}
const widest = results.reduce((a, b) => (b.rows > a.rows ? b : a));
const rate = ({ rows, ms }: { rows: number; ms: number }) => (rows * 1000) / ms;
for (const result of results) {
  console.log(
    `| ${result.rows} | ${result.ms.toFixed(2)} | ${rate(result).toFixed(0)} | ${(rate(result) / rate(widest)).toFixed(2)} |`,
  );
}
model.dispose();
