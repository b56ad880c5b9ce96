/**
 * Padding in the policy update's forward passes: for RL batches sampled from the shipped base
 * checkpoints with experiments/main.yaml's settings, the share of the token positions the update
 * computes (rows x (widest prompt + longest response - 1) per micro-batch, responseLogProbs's
 * layout) that are padding, for micro-batches cut in batch order and for micro-batches of
 * similar-length rows (tpo-loss `trainingMicroBatches`'s two groupings), summed over each step's
 * optimizer steps (mini-batches). Also the ratio of attention-score cells (rows x width^2), which
 * grow with the square of the width. Sampling only: no update is taken, so every step samples from
 * the base. Prints the CPU model and the load average.
 *
 *   cd apps/trainer && npx tsx bench/update-padding.ts [--tasks countdown,line-walk] [--algos grpo,ib-tpo] [--steps 4]
 */
import { loadavg } from "node:os";
import { selectBackend } from "@ibtpo/policy-tfjs";
import { type MicroBatchGrouping, type TrainingBatch, trainingMiniBatches } from "@ibtpo/tpo-loss";
import type { PolicyUpdateInputs } from "../src/train/policy-update.js";
import { disposeRlContext } from "../src/train/rl-context.js";
import { sampleStep } from "../src/train/rl-step.js";
import { microBatches } from "../src/train/token-batch.js";
import { baseRlContext, taskBenchArguments } from "./base-rl-context.js";
import { cpuModel } from "./cpu-model.js";

const values = taskBenchArguments(import.meta.url, { initial: 4, minimum: 1 });
const { steps } = values;
await selectBackend({ backend: "wasm", log: () => {} });
const loadBefore = loadavg();

interface Cells {
  /** Token positions the forward computes. */
  computed: number;
  /** Of those, the rows' own (every token but the last is an input). */
  real: number;
  /** Attention scores: rows x width^2 per micro-batch. */
  attention: number;
  microBatches: number;
  rows: number;
}

/** The forward cells of one update's micro-batches (one epoch) on `batch`. */
function updateCells(update: PolicyUpdateInputs, batch: TrainingBatch, grouping: MicroBatchGrouping): Cells {
  const cells: Cells = { computed: 0, real: 0, attention: 0, microBatches: 0, rows: 0 };
  const aggregation = update.loss.lossAggregation;
  for (const mini of trainingMiniBatches(batch, update.miniBatches, aggregation)) {
    for (const micro of microBatches(mini.batch, update.microBatchSize, aggregation, grouping)) {
      const promptWidth = Math.max(...micro.rows.map((row) => row.promptLength));
      const responseWidth = Math.max(1, ...micro.rows.map((row) => row.tokens.length - row.promptLength));
      const width = promptWidth + responseWidth - 1;
      cells.computed += micro.rows.length * width;
      cells.attention += micro.rows.length * width * width;
      for (const row of micro.rows) cells.real += row.tokens.length - 1;
      cells.microBatches += 1;
      cells.rows += micro.rows.length;
    }
  }
  return cells;
}

const add = (sum: Cells, next: Cells): Cells => ({
  computed: sum.computed + next.computed,
  real: sum.real + next.real,
  attention: sum.attention + next.attention,
  microBatches: sum.microBatches + next.microBatches,
  rows: sum.rows + next.rows,
});
const none: Cells = { computed: 0, real: 0, attention: 0, microBatches: 0, rows: 0 };
const paddingShare = (cells: Cells) => (1 - cells.real / cells.computed).toFixed(3);

const rows: string[] = [];
for (const taskName of values.tasks) {
  for (const algorithm of values.algorithms) {
    const context = await baseRlContext(values.config, taskName, algorithm);
    let ordered = none;
    let grouped = none;
    for (let step = 1; step <= steps; step++) {
      const { trainingBatch } = await sampleStep(context, step);
      ordered = add(ordered, updateCells(context.update, trainingBatch, "batch-order"));
      grouped = add(grouped, updateCells(context.update, trainingBatch, "similar-length"));
    }
    disposeRlContext(context);
    rows.push(
      `| ${taskName} | ${algorithm} | ${(ordered.rows / steps).toFixed(0)} | ${(ordered.microBatches / steps).toFixed(0)} | ${paddingShare(ordered)} | ${paddingShare(grouped)} | ${(grouped.computed / ordered.computed).toFixed(3)} | ${(grouped.attention / ordered.attention).toFixed(3)} |`,
    );
  }
}
const load = (figures: number[]) => figures.map((figure) => figure.toFixed(2)).join(" ");
console.log(
  `update forward cells of ${values.config}, steps 1-${steps} sampled from the base; ${cpuModel()}; load average ${load(loadBefore)} before, ${load(loadavg())} after`,
);
console.log("");
console.log(
  "| task | algorithm | rows/step | micro-batches/step | padding share, batch order | padding share, similar length | cells ratio | attention cells ratio |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const row of rows) console.log(row);
