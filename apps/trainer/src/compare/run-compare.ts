import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, relative } from "node:path";
import { type ComparisonResults, REPORT_FILES, runComparison, runFolderPath } from "@ibtpo/bench-harness";
import type { ConfigOverride } from "../config/load-config.js";
import { loadConfig } from "../config/load-config.js";
import { trainConfigSchema } from "../config/train-config.js";
import { Progress } from "../runtime/progress.js";
import { runTokenBudget } from "../train/run-config.js";
import { compareChildWorkers } from "../train/training-workers.js";
import { trainInChild } from "./child-train.js";

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

/**
 * Train every (task, algorithm, seed) in child processes, `jobs` at a time, at one token budget
 * (budget x promptsPerStep x steps of the shared config), then write the comparison report.
 * Children get a worker thread only when every one of them has a spare core
 * ({@link compareChildWorkers}).
 * Returns the results and the Markdown summary.
 */
export async function compareRuns(options: CompareOptions): Promise<{ results: ComparisonResults; markdown: string }> {
  // Validate once up front, so a bad key fails before any run starts.
  const config = await loadConfig(trainConfigSchema, options.configFile, options.overrides);
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
          "--algo",
          spec.algorithm,
          "--task",
          spec.task,
          "--seed",
          String(spec.seed),
          "--init",
          join(options.initDirectory, `${spec.task}-base`),
        ],
      }),
    onProgress: ({ completed, spec }) =>
      progress.update(completed, { done: relative(options.out, runFolderPath(options.out, spec)) }),
  });
  progress.stop();
  return { results, markdown: await readFile(join(options.out, REPORT_FILES.markdown), "utf8") };
}
