import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, relative } from "node:path";
import { type ComparisonResults, REPORT_FILES, type RunSpec, runComparison, runFolderPath } from "@ibtpo/bench-harness";
import { ConfigError } from "../config/config-error.js";
import type { ConfigOverride } from "../config/load-config.js";
import { loadTrainConfig, type TrainKeyFlags, trainKeyArguments } from "../config/train-flags.js";
import { Progress } from "../runtime/progress.js";
import { runTokenBudget } from "../train/run-config.js";
import { compareChildWorkers } from "../train/training-workers.js";
import { trainInChild } from "./child-train.js";
import { reusedRunMismatch } from "./reused-run-settings.js";

export interface CompareOptions {
  readonly algorithms: readonly string[];
  readonly seeds: readonly number[];
  readonly tasks: readonly string[];
  /** Folder holding `<task>-base` checkpoints. */
  readonly initDirectory: string;
  readonly jobs: number;
  /** Cores this comparison may use; default: every core of the machine. */
  readonly cores?: number;
  readonly out: string;
  readonly title?: string;
  readonly configFile?: string;
  readonly overrides: readonly ConfigOverride[];
}

/** The config keys compare sets for each run, with the compare flag that chooses them. */
const PER_RUN_KEYS: Readonly<Record<string, string>> = {
  algorithm: "--algos",
  task: "--tasks",
  seed: "--seeds",
  init: "--init-dir",
  out: "--out",
};

/** The `ibtpo train` key flags of one run of the grid. */
function runKeyFlags(options: CompareOptions, spec: Pick<RunSpec, "algorithm" | "task" | "seed">): TrainKeyFlags {
  return {
    algo: spec.algorithm,
    task: spec.task,
    seed: spec.seed,
    init: join(options.initDirectory, `${spec.task}-base`),
  };
}

/**
 * Refuse run folders of the grid that were made with other settings than their run would train
 * with now (reusing one would report its results under the new settings), naming each folder
 * and key, before any run starts.
 */
async function checkReusedRuns(options: CompareOptions): Promise<void> {
  const mismatches: string[] = [];
  for (const task of options.tasks) {
    for (const algorithm of options.algorithms) {
      for (const seed of options.seeds) {
        const spec = { algorithm, task, seed };
        const runDirectory = runFolderPath(options.out, spec);
        const expected = await loadTrainConfig(
          options.configFile,
          { ...runKeyFlags(options, spec), out: runDirectory },
          options.overrides,
        );
        const mismatch = await reusedRunMismatch(runDirectory, expected);
        if (mismatch !== null) mismatches.push(mismatch);
      }
    }
  }
  if (mismatches.length > 0) throw new ConfigError(mismatches.join("\n"));
}

/**
 * Train every (task, algorithm, seed) in child processes, `jobs` at a time, at one token budget
 * (budget x promptsPerStep x steps of the shared config), then write the comparison report.
 * Children get a worker thread only when every one of them has a spare core
 * ({@link compareChildWorkers}). A run folder already in `out` is reused (finished) or resumed
 * (interrupted) only when it was made with the settings its run would have now.
 * Returns the results and the Markdown summary.
 */
export async function compareRuns(options: CompareOptions): Promise<{ results: ComparisonResults; markdown: string }> {
  for (const override of options.overrides) {
    const flag = PER_RUN_KEYS[override.path];
    if (flag !== undefined)
      throw new ConfigError(`--set ${override.path}: compare sets it for each run; choose it with ${flag}`);
  }
  // Validate once up front, so a bad key fails before any run starts.
  const config = await loadTrainConfig(options.configFile, {}, options.overrides);
  await checkReusedRuns(options);
  const tokenBudget = runTokenBudget(config);
  const workers = compareChildWorkers(options.jobs, options.cores ?? availableParallelism());
  const progress = new Progress("compare", options.algorithms.length * options.seeds.length * options.tasks.length);
  const results = await runComparison({
    algorithms: options.algorithms,
    seeds: options.seeds,
    tasks: options.tasks,
    tokenBudget,
    concurrency: options.jobs,
    outputDir: options.out,
    ...(options.title === undefined ? {} : { title: options.title }),
    run: (spec) =>
      trainInChild(spec, {
        runDirectory: runFolderPath(options.out, spec),
        workers,
        trainArguments: [
          ...(options.configFile === undefined ? [] : ["--config", options.configFile]),
          ...options.overrides.flatMap((override) => ["--set", `${override.path}=${JSON.stringify(override.value)}`]),
          ...trainKeyArguments(runKeyFlags(options, spec)),
        ],
      }),
    onProgress: ({ completed, spec }) =>
      progress.update(completed, { done: relative(options.out, runFolderPath(options.out, spec)) }),
  });
  progress.stop();
  return { results, markdown: await readFile(join(options.out, REPORT_FILES.markdown), "utf8") };
}
