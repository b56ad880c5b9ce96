/**
 * RL step time with and without a worker thread: `ibtpo train`'s RL step on experiments/main.yaml
 * (countdown by default, `--task` for another, from its shipped base) for each algorithm, once with `--workers 0` and once with
 * `--workers auto`, in one process. The two runs of an algorithm take their steps in turn (0, auto,
 * then auto, 0, ...) so a change in machine load hits both alike; each step's ratio auto / 0 is
 * taken pair by pair. The first step is warm-up (kernels, the worker's first weights) and is not
 * counted. Besides wall time it prints the process's CPU seconds per step (all its threads, from
 * process.cpuUsage): their ratio is the extra work the split costs, which is what a busy
 * machine charges when no core is idle. It also prints the main thread's own CPU seconds (Linux:
 * /proc/self/task/<pid>/stat): with a worker, the main thread's share of the step, which bounds
 * from below the step's wall time on a machine whose second core is idle. Prints the CPU model,
 * the cores and the load average before and after.
 *
 *   cd apps/trainer && npx tsx bench/rl-step-workers.ts [--algos grpo,ib-tpo] [--steps 5] [--task countdown]
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { resolve } from "node:path";
import { loadCheckpoint, selectBackend } from "@ibtpo/policy-tfjs";
import * as tf from "@tensorflow/tfjs";
import { integerOption, parseScriptArguments } from "../../../scripts/command-line.mjs";
import { loadConfig } from "../src/config/load-config.js";
import { trainConfigSchema } from "../src/config/train-config.js";
import { resolveCheckpoint } from "../src/runtime/resolve-checkpoint.js";
import { createTask } from "../src/runtime/task-setup.js";
import { resolveAlgorithm } from "../src/train/resolve-algorithm.js";
import { buildRlContext, disposeRlContext, type RlContext } from "../src/train/rl-context.js";
import { rlStep } from "../src/train/rl-step.js";
import { resolveTrainingWorkers } from "../src/train/training-workers.js";
import { cpuModel } from "./cpu-model.js";

const repositoryRoot = new URL("../../../", import.meta.url).pathname;
const { values } = parseScriptArguments(import.meta.url, {
  options: {
    algos: { type: "string", default: "grpo,ib-tpo" },
    steps: { type: "string", default: "5" },
    config: { type: "string", default: resolve(repositoryRoot, "experiments/main.yaml") },
    task: { type: "string", default: "countdown" },
    // Default: the task's shipped base checkpoint.
    init: { type: "string" },
  },
});
const taskName = values.task;
const init = values.init ?? resolve(repositoryRoot, `checkpoints/${taskName}-base`);
// Step 1 is warm-up, so at least one more.
const steps = integerOption(import.meta.url, "--steps", values.steps, 2);
const algorithms = values.algos.split(",").map((name) => name.trim());

const backend = await selectBackend({ backend: "wasm", log: () => {} });
const cores = availableParallelism();
const autoWorkers = resolveTrainingWorkers("auto", { cores, backend: tf.getBackend() });
const loadBefore = loadavg();
const log = (line: string) => process.stderr.write(`${line}\n`);

async function contextFor(algorithm: string, workers: number): Promise<RlContext> {
  const config = await loadConfig(trainConfigSchema, values.config, [
    { path: "algorithm", value: algorithm },
    { path: "task", value: taskName },
    { path: "init", value: init },
    { path: "steps", value: steps },
  ]);
  const task = createTask(config.task, (await resolveCheckpoint(config.init)).taskOptions);
  const loaded = await loadCheckpoint(config.init);
  return buildRlContext(config, resolveAlgorithm(config), task, loaded, { resume: false, workers });
}

const clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** CPU seconds of the main thread alone (its task is the process id). */
function mainThreadCpuSeconds(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
  // Fields after the command name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

interface Timing {
  readonly total: number;
  /** CPU seconds of every thread of this process during the step. */
  readonly cpu: number;
  /** CPU seconds of the main thread during the step. */
  readonly mainCpu: number;
  readonly sampling: number;
  readonly update: number;
  /** Generated tokens per second of sampling (the trainer's `tokensPerSecond`). */
  readonly tokensPerSecond: number;
}

async function timedStep(context: RlContext, step: number): Promise<Timing> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const mainStarted = mainThreadCpuSeconds();
  const metrics = await rlStep(context, step);
  const cpu = process.cpuUsage(cpuStarted);
  const mainCpu = mainThreadCpuSeconds() - mainStarted;
  return {
    total: (performance.now() - started) / 1000,
    cpu: (cpu.user + cpu.system) / 1e6,
    mainCpu,
    sampling: (metrics.samplingSeconds as number) + (metrics.scoringSeconds as number),
    update: metrics.updateSeconds as number,
    tokensPerSecond: metrics.tokensPerSecond as number,
  };
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const seconds = (value: number) => value.toFixed(2);

const rows: string[] = [];
for (const algorithm of algorithms) {
  const alone = await contextFor(algorithm, 0);
  const threaded = await contextFor(algorithm, autoWorkers);
  const timings: { alone: Timing; threaded: Timing }[] = [];
  for (let step = 1; step <= steps; step++) {
    // Alternate which run goes first, so a drift in load does not favour one of them.
    const first = step % 2 === 1 ? alone : threaded;
    const second = first === alone ? threaded : alone;
    const firstTiming = await timedStep(first, step);
    const secondTiming = await timedStep(second, step);
    const pair =
      first === alone ? { alone: firstTiming, threaded: secondTiming } : { alone: secondTiming, threaded: firstTiming };
    log(
      `${algorithm} step ${step}: workers 0 ${seconds(pair.alone.total)} s, workers ${autoWorkers} ${seconds(pair.threaded.total)} s`,
    );
    if (step > 1) timings.push(pair);
  }
  disposeRlContext(alone);
  disposeRlContext(threaded);
  const part = (pick: (timing: Timing) => number) => ({
    alone: mean(timings.map((pair) => pick(pair.alone))),
    threaded: mean(timings.map((pair) => pick(pair.threaded))),
    ratio: median(timings.map((pair) => pick(pair.threaded) / pick(pair.alone))),
  });
  const total = part((timing) => timing.total);
  const sampling = part((timing) => timing.sampling);
  const update = part((timing) => timing.update);
  const cpu = part((timing) => timing.cpu);
  const mainCpu = part((timing) => timing.mainCpu);
  // Sampling runs on the main thread either way: the tokens per second of both runs' steps.
  const tokensPerSecond = mean(timings.flatMap((pair) => [pair.alone.tokensPerSecond, pair.threaded.tokensPerSecond]));
  rows.push(
    `| ${algorithm} | ${seconds(total.alone)} | ${seconds(total.threaded)} | ${total.ratio.toFixed(2)} | ${cpu.ratio.toFixed(2)} (${seconds(cpu.alone)} -> ${seconds(cpu.threaded)}) | ${mainCpu.ratio.toFixed(2)} (${seconds(mainCpu.alone)} -> ${seconds(mainCpu.threaded)}) | ${sampling.ratio.toFixed(2)} (${seconds(sampling.alone)} -> ${seconds(sampling.threaded)}) | ${update.ratio.toFixed(2)} (${seconds(update.alone)} -> ${seconds(update.threaded)}) | ${tokensPerSecond.toFixed(0)} |`,
  );
}
const loadAfter = loadavg();
const load = (figures: number[]) => figures.map((figure) => figure.toFixed(2)).join(" ");

console.log(
  `RL step of ${values.config} on ${taskName}, steps 2-${steps} (step 1 is warm-up); ${cpuModel()}, ${cores} cores, tfjs ${backend.choice}; auto = ${autoWorkers} worker${autoWorkers === 1 ? "" : "s"}; load average ${load(loadBefore)} before, ${load(loadAfter)} after`,
);
console.log("");
console.log(
  "| algorithm | s/step, workers 0 | s/step, workers auto | ratio auto / 0 (median of pairs) | CPU s/step ratio | main-thread CPU s/step ratio | sampling ratio (s) | update ratio (s) | generated tokens / sampling s |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const row of rows) console.log(row);
