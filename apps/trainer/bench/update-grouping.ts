/**
 * The policy update's time with micro-batches of similar-length rows against rows cut in batch
 * order (tpo-loss `trainingMicroBatches`), on RL batches of experiments/main.yaml from the shipped
 * base checkpoints, without worker threads. Two runs of each task and algorithm take each step's
 * sampled batch (sampled by the batch-order run) in turn, alternating which goes first, so a change
 * in machine load hits both alike; each step's ratio grouped / batch-order is taken pair by pair
 * and the median reported. Step 1 is warm-up and not counted. Prints the CPU model and the load
 * average before and after.
 *
 *   cd apps/trainer && npx tsx bench/update-grouping.ts [--tasks countdown,line-walk] [--algos grpo,ib-tpo] [--steps 6]
 */
import { loadavg } from "node:os";
import { selectBackend } from "@ibtpo/policy-tfjs";
import type { MicroBatchGrouping, TrainingBatch } from "@ibtpo/tpo-loss";
import { updatePolicy } from "../src/train/policy-update.js";
import { disposeRlContext, type RlContext } from "../src/train/rl-context.js";
import { sampleStep } from "../src/train/rl-step.js";
import { baseRlContext, taskBenchArguments } from "./base-rl-context.js";
import { cpuModel } from "./cpu-model.js";
import { median } from "./median.js";

// Step 1 is warm-up.
const values = taskBenchArguments(import.meta.url, { initial: 6, minimum: 2 });
const { steps } = values;
await selectBackend({ backend: "wasm", log: () => {} });
const loadBefore = loadavg();

async function updateSeconds(context: RlContext, batch: TrainingBatch, grouping: MicroBatchGrouping): Promise<number> {
  const started = performance.now();
  await updatePolicy({ ...context.update, microBatchGrouping: grouping }, batch);
  return (performance.now() - started) / 1000;
}

const mean = (figures: readonly number[]) => figures.reduce((sum, figure) => sum + figure, 0) / figures.length;

const rows: string[] = [];
for (const taskName of values.tasks) {
  for (const algorithm of values.algorithms) {
    const ordered = await baseRlContext(values.config, taskName, algorithm);
    const grouped = await baseRlContext(values.config, taskName, algorithm);
    const pairs: { ordered: number; grouped: number }[] = [];
    for (let step = 1; step <= steps; step++) {
      const { trainingBatch } = await sampleStep(ordered, step);
      if (trainingBatch.trainedTokens === 0) continue;
      const orderedFirst = step % 2 === 1;
      const first = orderedFirst
        ? await updateSeconds(ordered, trainingBatch, "batch-order")
        : await updateSeconds(grouped, trainingBatch, "similar-length");
      const second = orderedFirst
        ? await updateSeconds(grouped, trainingBatch, "similar-length")
        : await updateSeconds(ordered, trainingBatch, "batch-order");
      const pair = orderedFirst ? { ordered: first, grouped: second } : { ordered: second, grouped: first };
      process.stderr.write(
        `${taskName} ${algorithm} step ${step}: batch-order ${pair.ordered.toFixed(2)} s, similar-length ${pair.grouped.toFixed(2)} s\n`,
      );
      if (step > 1) pairs.push(pair);
    }
    disposeRlContext(ordered);
    disposeRlContext(grouped);
    rows.push(
      `| ${taskName} | ${algorithm} | ${pairs.length} | ${mean(pairs.map((pair) => pair.ordered)).toFixed(2)} | ${mean(pairs.map((pair) => pair.grouped)).toFixed(2)} | ${median(pairs.map((pair) => pair.grouped / pair.ordered)).toFixed(3)} |`,
    );
  }
}
const load = (figures: number[]) => figures.map((figure) => figure.toFixed(2)).join(" ");
console.log(
  `policy update of ${values.config}, workers 0; ${cpuModel()}; load average ${load(loadBefore)} before, ${load(loadavg())} after`,
);
console.log("");
console.log(
  "| task | algorithm | pairs | s/update, batch order | s/update, similar length | ratio (median of pairs) |",
);
console.log("| --- | --- | --- | --- | --- | --- |");
for (const row of rows) console.log(row);
