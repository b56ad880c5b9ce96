/**
 * Padding in the policy update's forward passes: for RL batches sampled from the shipped base
 * checkpoints with experiments/main.yaml's settings, the share of the token positions the update
 * computes (rows x (widest prompt + longest response - 1) per micro-batch, responseLogProbs's
 * layout) that are padding, per micro-batch layout. Sampling only; no update is taken.
 *
 *   cd apps/trainer && npx tsx bench/update-padding.ts [--tasks countdown,line-walk] [--algos grpo,ib-tpo] [--steps 3]
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadCheckpoint, selectBackend } from "@ibtpo/policy-tfjs";
import { type TrainingBatch, trainingMiniBatches } from "@ibtpo/tpo-loss";
import { loadConfig } from "../src/config/load-config.js";
import { trainConfigSchema } from "../src/config/train-config.js";
import { resolveCheckpoint } from "../src/runtime/resolve-checkpoint.js";
import { createTask } from "../src/runtime/task-setup.js";
import { resolveAlgorithm } from "../src/train/resolve-algorithm.js";
import { buildRlContext, disposeRlContext } from "../src/train/rl-context.js";
import { sampleStep } from "../src/train/rl-step.js";
import { microBatches } from "../src/train/token-batch.js";
import { cpuModel } from "./cpu-model.js";

const repositoryRoot = new URL("../../../", import.meta.url).pathname;
const argv = process.argv.slice(2).filter((argument, index) => !(index === 0 && argument === "--"));
const { values } = parseArgs({
  args: argv,
  options: {
    tasks: { type: "string", default: "countdown,line-walk" },
    algos: { type: "string", default: "grpo,ib-tpo" },
    steps: { type: "string", default: "3" },
    config: { type: "string", default: resolve(repositoryRoot, "experiments/main.yaml") },
  },
});
const steps = Number(values.steps);
await selectBackend({ backend: "wasm", log: () => {} });

interface Cells {
  padded: number;
  real: number;
  microBatches: number;
  rows: number;
}

/** Forward cells of the update's micro-batches of one training batch, as the update lays them out now. */
function updateCells(batch: TrainingBatch, miniBatches: number, microBatchSize: number, aggregation: string): Cells {
  const cells: Cells = { padded: 0, real: 0, microBatches: 0, rows: 0 };
  for (const mini of trainingMiniBatches(batch, miniBatches, aggregation as never)) {
    for (const micro of microBatches(mini.batch, microBatchSize, aggregation as never)) {
      const promptWidth = Math.max(...micro.rows.map((row) => row.promptLength));
      const responseWidth = Math.max(1, ...micro.rows.map((row) => row.tokens.length - row.promptLength));
      cells.padded += micro.rows.length * (promptWidth + responseWidth - 1);
      for (const row of micro.rows) cells.real += row.tokens.length - 1;
      cells.microBatches += 1;
      cells.rows += micro.rows.length;
    }
  }
  return cells;
}

console.log(`update padding, ${values.config}; ${cpuModel()}`);
console.log("| task | algorithm | step | rows | micro-batches | cells | padding share |");
for (const taskName of values.tasks.split(",")) {
  for (const algorithm of values.algos.split(",")) {
    const init = resolve(repositoryRoot, `checkpoints/${taskName}-base`);
    const config = await loadConfig(trainConfigSchema, values.config, [
      { path: "algorithm", value: algorithm },
      { path: "task", value: taskName },
      { path: "init", value: init },
    ]);
    const task = createTask(taskName as never, (await resolveCheckpoint(config.init)).taskOptions);
    const context = await buildRlContext(config, resolveAlgorithm(config), task, await loadCheckpoint(config.init), {
      resume: false,
      workers: 0,
    });
    for (let step = 1; step <= steps; step++) {
      const sample = await sampleStep(context, step);
      const { update } = context;
      const cells = updateCells(
        sample.trainingBatch,
        update.miniBatches,
        update.microBatchSize,
        update.loss.lossAggregation,
      );
      console.log(
        `| ${taskName} | ${algorithm} | ${step} | ${cells.rows} | ${cells.microBatches} | ${cells.padded} | ${(1 - cells.real / cells.padded).toFixed(3)} |`,
      );
    }
    disposeRlContext(context);
  }
}
