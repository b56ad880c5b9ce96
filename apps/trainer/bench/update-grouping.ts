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
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadCheckpoint, selectBackend } from "@ibtpo/policy-tfjs";
import type { MicroBatchGrouping, TrainingBatch } from "@ibtpo/tpo-loss";
import { loadConfig } from "../src/config/load-config.js";
import { trainConfigSchema } from "../src/config/train-config.js";
import { resolveCheckpoint } from "../src/runtime/resolve-checkpoint.js";
import { createTask } from "../src/runtime/task-setup.js";
import { updatePolicy } from "../src/train/policy-update.js";
import { resolveAlgorithm } from "../src/train/resolve-algorithm.js";
import { buildRlContext, disposeRlContext, type RlContext } from "../src/train/rl-context.js";
import { sampleStep } from "../src/train/rl-step.js";
import { cpuModel } from "./cpu-model.js";

const repositoryRoot = new URL("../../../", import.meta.url).pathname;
const argv = process.argv.slice(2).filter((argument, index) => !(index === 0 && argument === "--"));
const { values } = parseArgs({
  args: argv,
  options: {
    tasks: { type: "string", default: "countdown,line-walk" },
    algos: { type: "string", default: "grpo,ib-tpo" },
    steps: { type: "string", default: "6" },
    config: { type: "string", default: resolve(repositoryRoot, "experiments/main.yaml") },
  },
});
const steps = Number(values.steps);
if (!Number.isInteger(steps) || steps < 2) {
  process.stderr.write(`update-grouping: --steps must be an integer >= 2 (step 1 is warm-up), got "${values.steps}"\n`);
  process.exit(2);
}
await selectBackend({ backend: "wasm", log: () => {} });
const loadBefore = loadavg();

async function contextFor(taskName: string, algorithm: string): Promise<RlContext> {
  const config = await loadConfig(trainConfigSchema, values.config, [
    { path: "algorithm", value: algorithm },
    { path: "task", value: taskName },
    { path: "init", value: resolve(repositoryRoot, `checkpoints/${taskName}-base`) },
  ]);
  const task = createTask(
    taskName as Parameters<typeof createTask>[0],
    (await resolveCheckpoint(config.init)).taskOptions,
  );
  return buildRlContext(config, resolveAlgorithm(config), task, await loadCheckpoint(config.init), {
    resume: false,
    workers: 0,
  });
}

async function updateSeconds(context: RlContext, batch: TrainingBatch, grouping: MicroBatchGrouping): Promise<number> {
  const started = performance.now();
  await updatePolicy({ ...context.update, microBatchGrouping: grouping }, batch);
  return (performance.now() - started) / 1000;
}

const median = (figures: readonly number[]) => {
  const sorted = [...figures].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const mean = (figures: readonly number[]) => figures.reduce((sum, figure) => sum + figure, 0) / figures.length;

const rows: string[] = [];
for (const taskName of values.tasks.split(",")) {
  for (const algorithm of values.algos.split(",")) {
    const ordered = await contextFor(taskName, algorithm);
    const grouped = await contextFor(taskName, algorithm);
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
