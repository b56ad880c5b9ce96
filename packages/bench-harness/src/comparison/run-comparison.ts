import { mkdir } from "node:fs/promises";
import { BenchHarnessError } from "../errors.js";
import { writeReportFiles } from "../report/write-report.js";
import type { RunResult, StoredRun } from "./run-folder.js";
import { runFolderPath, writeRunFolder } from "./run-folder.js";
import { type SummaryRow, summarizeRuns } from "./summarize-runs.js";

/** One cell of the comparison grid. */
export interface RunSpec {
  readonly algorithm: string;
  readonly task: string;
  readonly seed: number;
  /** Generated tokens the run may spend on training; the same for every run. */
  readonly tokenBudget: number;
}

export interface ComparisonOptions {
  readonly algorithms: readonly string[];
  readonly seeds: readonly number[];
  readonly tasks: readonly string[];
  readonly tokenBudget: number;
  /** Trains and evaluates one run; called once per (task, algorithm, seed). */
  readonly run: (spec: RunSpec) => Promise<RunResult>;
  /** Runs in flight at once (e.g. one child process per core). Default 1. */
  readonly concurrency?: number;
  /** Where to write run folders, results.json, results.md and report.html; nothing is written without it. */
  readonly outputDir?: string;
  /** Allowed overshoot of the budget, as a fraction of it. Default 0. */
  readonly budgetTolerance?: number;
  readonly title?: string;
  readonly onProgress?: (progress: {
    readonly completed: number;
    readonly total: number;
    readonly spec: RunSpec;
  }) => void;
}

export interface ComparisonResults {
  readonly tokenBudget: number;
  readonly runs: readonly StoredRun[];
  readonly summary: readonly SummaryRow[];
}

/**
 * Runs algorithms x seeds x tasks at one generated-token budget, checks that no run spent more
 * than the budget, aggregates test-split metrics (mean and 95% t-interval over seeds) and, with
 * `outputDir`, writes every run folder plus results.json, results.md and report.html.
 *
 * @example
 * const results = await runComparison({
 *   algorithms: ["grpo", "ib-tpo"], seeds: [1, 2, 3], tasks: ["countdown"], tokenBudget: 200_000,
 *   run: (spec) => trainAndEvaluate(spec), outputDir: "runs/cmp-1",
 * });
 */
export async function runComparison(options: ComparisonOptions): Promise<ComparisonResults> {
  const { algorithms, seeds, tasks, tokenBudget, outputDir, budgetTolerance = 0 } = options;
  if (!(tokenBudget > 0)) throw new BenchHarnessError(`tokenBudget must be > 0, got ${tokenBudget}`, "runComparison");
  for (const [name, list] of [
    ["algorithms", algorithms],
    ["seeds", seeds],
    ["tasks", tasks],
  ] as const) {
    if (list.length === 0) throw new BenchHarnessError(`${name} is empty`, "runComparison");
    if (new Set<unknown>(list).size !== list.length)
      throw new BenchHarnessError(`${name} has duplicates`, "runComparison");
  }
  const specs = tasks.flatMap((task) =>
    algorithms.flatMap((algorithm) => seeds.map((seed): RunSpec => ({ algorithm, task, seed, tokenBudget }))),
  );
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new BenchHarnessError(`concurrency must be a positive integer, got ${concurrency}`, "runComparison");
  }
  const stored = new Array<StoredRun>(specs.length);
  let completed = 0;
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const index = next++;
      const spec = specs[index] as RunSpec;
      stored[index] = await runOne(spec);
      completed += 1;
      options.onProgress?.({ completed, total: specs.length, spec });
    }
  };
  const runOne = async (spec: RunSpec): Promise<StoredRun> => {
    const result = await options.run(spec);
    const spent = result.history.reduce((sum, step) => sum + step.generatedTokens, 0);
    if (spent > tokenBudget * (1 + budgetTolerance)) {
      throw new BenchHarnessError(
        `run ${spec.algorithm}/${spec.task}/seed ${spec.seed} generated ${spent} tokens, over the budget of ${tokenBudget}`,
        "runComparison",
      );
    }
    const run: StoredRun = {
      config: { ...result.config, algorithm: spec.algorithm, task: spec.task, seed: spec.seed, tokenBudget },
      history: result.history,
      evaluation: result.evaluation,
    };
    if (outputDir !== undefined) await writeRunFolder(runFolderPath(outputDir, spec), run);
    return run;
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, worker));
  // Results keep the grid order whatever order the runs finished in.
  const runs = [...stored];
  const results: ComparisonResults = { tokenBudget, runs, summary: summarizeRuns(runs) };
  if (outputDir !== undefined) {
    await mkdir(outputDir, { recursive: true });
    await writeReportFiles(outputDir, runs, options.title === undefined ? {} : { title: options.title });
  }
  return results;
}
