import { access, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { BenchHarnessError } from "../errors.js";
import type { EvaluationSummary } from "../evaluation/evaluate-policy.js";
import { writeFileAtomic } from "./atomic-write.js";
import { checkedStepMetrics, type StepMetrics } from "./step-metrics.js";

/** What identifies a run; any further settings may ride along. */
export interface RunConfig {
  readonly algorithm: string;
  readonly task: string;
  readonly seed: number;
  readonly tokenBudget?: number;
  readonly [setting: string]: unknown;
}

/** One training run: its per-step history and the final evaluation on the test split. */
export interface RunResult {
  readonly history: readonly StepMetrics[];
  readonly evaluation: EvaluationSummary;
  /** Settings to record beside algorithm, task and seed. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** A run as stored in a run folder. */
export interface StoredRun {
  readonly config: RunConfig;
  readonly history: readonly StepMetrics[];
  readonly evaluation: EvaluationSummary;
}

/** File names of a run folder. */
export const RUN_FILES = { config: "config.json", metrics: "metrics.jsonl", evaluation: "eval.json" } as const;

/**
 * Writes a run folder: config.json, metrics.jsonl (one step per line) and eval.json, each
 * atomically.
 *
 * @example
 * await writeRunFolder("runs/countdown/ib-tpo/seed-1", { config, history, evaluation });
 */
export async function writeRunFolder(dir: string, run: StoredRun): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, RUN_FILES.config), `${JSON.stringify(run.config, null, 2)}\n`);
  await writeFileAtomic(join(dir, RUN_FILES.metrics), run.history.map((step) => `${JSON.stringify(step)}\n`).join(""));
  await writeFileAtomic(join(dir, RUN_FILES.evaluation), `${JSON.stringify(run.evaluation, null, 2)}\n`);
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BenchHarnessError(`invalid JSON (${(error as Error).message})`, path);
  }
}

/** Whether a folder holds a run (has metrics.jsonl). */
export async function isRunFolder(dir: string): Promise<boolean> {
  return access(join(dir, RUN_FILES.metrics)).then(
    () => true,
    () => false,
  );
}

/**
 * Reads a run folder written by {@link writeRunFolder} (or by a trainer following the same
 * format); errors name the file and, for metrics.jsonl, the line.
 */
export async function readRunFolder(dir: string): Promise<StoredRun> {
  const configPath = join(dir, RUN_FILES.config);
  const config = (await readJson(configPath)) as Record<string, unknown>;
  for (const [key, type] of [
    ["algorithm", "string"],
    ["task", "string"],
    ["seed", "number"],
  ] as const) {
    if (typeof config?.[key] !== type) throw new BenchHarnessError(`"${key}" must be a ${type}`, configPath);
  }
  const metricsPath = join(dir, RUN_FILES.metrics);
  const history: StepMetrics[] = [];
  (await readFile(metricsPath, "utf8")).split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new BenchHarnessError(`invalid JSON (${(error as Error).message})`, `${metricsPath}:${index + 1}`);
    }
    history.push(checkedStepMetrics(value, `${metricsPath}:${index + 1}`));
  });
  const evaluationPath = join(dir, RUN_FILES.evaluation);
  const evaluation = (await readJson(evaluationPath)) as EvaluationSummary;
  if (typeof evaluation?.passAtK !== "object" || evaluation.passAtK === null) {
    throw new BenchHarnessError(`"passAtK" must be an object of pass@k by k`, evaluationPath);
  }
  return { config: config as RunConfig, history, evaluation };
}
