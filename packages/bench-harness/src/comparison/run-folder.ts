import { existsSync } from "node:fs";
import { access, appendFile, mkdir, readdir, readFile, rm } from "node:fs/promises";
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

/**
 * Names inside a run folder. config.json, metrics.jsonl and eval.json are what comparisons and
 * reports read; a trainer adds its checkpoints and log beside them.
 */
export const RUN_FILES = {
  config: "config.json",
  metrics: "metrics.jsonl",
  evaluation: "eval.json",
  checkpoints: "checkpoints",
  latestCheckpoint: "checkpoints/latest.json",
  log: "train.log",
} as const;

/**
 * Folder of one run below `root`: `<root>/runs/<task>/<algorithm>/seed-<seed>`. A comparison
 * folder holds its runs there, and `ibtpo train` defaults to it below the current folder.
 *
 * @example
 * runFolderPath("runs/demo", { task: "countdown", algorithm: "grpo", seed: 1 }); // runs/demo/runs/countdown/grpo/seed-1
 */
export function runFolderPath(root: string, run: Pick<RunConfig, "task" | "algorithm" | "seed">): string {
  return join(root, "runs", run.task, run.algorithm, `seed-${run.seed}`);
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const metricsLines = (history: readonly StepMetrics[]) => history.map((step) => `${JSON.stringify(step)}\n`).join("");

/**
 * Writes a run folder: config.json, metrics.jsonl (one step per line) and eval.json, each
 * atomically.
 *
 * @example
 * await writeRunFolder("runs/countdown/ib-tpo/seed-1", { config, history, evaluation });
 */
export async function writeRunFolder(dir: string, run: StoredRun): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, RUN_FILES.config), json(run.config));
  await writeFileAtomic(join(dir, RUN_FILES.metrics), metricsLines(run.history));
  await writeFileAtomic(join(dir, RUN_FILES.evaluation), json(run.evaluation));
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

/** Reads a run's config.json; an error names the file and the missing identifying field. */
export async function readRunConfig(dir: string): Promise<RunConfig> {
  const configPath = join(dir, RUN_FILES.config);
  const config = (await readJson(configPath)) as Record<string, unknown>;
  for (const [key, type] of [
    ["algorithm", "string"],
    ["task", "string"],
    ["seed", "number"],
  ] as const) {
    if (typeof config?.[key] !== type) throw new BenchHarnessError(`"${key}" must be a ${type}`, configPath);
  }
  return config as RunConfig;
}

/**
 * Reads a run folder written by {@link writeRunFolder} or {@link RunFolder}; errors name the file
 * and, for metrics.jsonl, the line.
 */
export async function readRunFolder(dir: string): Promise<StoredRun> {
  const config = await readRunConfig(dir);
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
  return { config, history, evaluation };
}

/** The checkpoint a run would resume from. */
export interface LatestCheckpoint {
  readonly step: number;
  readonly directory: string;
}

const checkpointName = (step: number) => `step-${String(step).padStart(6, "0")}`;
const checkpointNamePattern = /^step-\d+$/;

/**
 * A run folder being written step by step by a trainer: config, metrics appended per step,
 * rotating checkpoints and the final evaluation. Every write is atomic or append-only, so a run
 * killed at any point can be resumed.
 *
 * @example
 * const folder = new RunFolder("runs/countdown/ib-tpo/seed-1");
 * await folder.create({ algorithm: "ib-tpo", task: "countdown", seed: 1 });
 * await folder.appendMetrics({ step: 1, generatedTokens: 1280, accuracy: 0.25 });
 */
export class RunFolder {
  constructor(readonly directory: string) {}

  path(name: string): string {
    return join(this.directory, name);
  }

  /** Whether training started here (metrics.jsonl exists). */
  hasMetrics(): boolean {
    return existsSync(this.path(RUN_FILES.metrics));
  }

  /** Whether the run finished (eval.json exists). */
  hasEvaluation(): boolean {
    return existsSync(this.path(RUN_FILES.evaluation));
  }

  /** Start a run: the config, an empty metrics file and the checkpoints folder. */
  async create(config: RunConfig): Promise<void> {
    await mkdir(this.path(RUN_FILES.checkpoints), { recursive: true });
    await writeFileAtomic(this.path(RUN_FILES.config), json(config));
    await writeFileAtomic(this.path(RUN_FILES.metrics), "");
  }

  readConfig(): Promise<RunConfig> {
    return readRunConfig(this.directory);
  }

  /** Append one step's metrics as one JSON line. */
  async appendMetrics(metrics: StepMetrics): Promise<void> {
    await appendFile(this.path(RUN_FILES.metrics), `${JSON.stringify(metrics)}\n`);
  }

  /**
   * Keep only the metrics of steps up to `step` (those the checkpoint being resumed has seen),
   * dropping later steps and a line cut short by a kill.
   */
  async truncateMetrics(step: number): Promise<StepMetrics[]> {
    const path = this.path(RUN_FILES.metrics);
    const text = existsSync(path) ? await readFile(path, "utf8") : "";
    const kept: StepMetrics[] = [];
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      let metrics: StepMetrics;
      try {
        metrics = JSON.parse(line) as StepMetrics;
      } catch {
        break; // a partial last line from an interrupted append
      }
      if (metrics.step > step) break;
      kept.push(metrics);
    }
    await writeFileAtomic(path, metricsLines(kept));
    return kept;
  }

  async writeEvaluation(evaluation: EvaluationSummary): Promise<void> {
    await writeFileAtomic(this.path(RUN_FILES.evaluation), json(evaluation));
  }

  checkpointDirectory(step: number): string {
    return this.path(join(RUN_FILES.checkpoints, checkpointName(step)));
  }

  /** Record `step` as the latest complete checkpoint, then drop all but the newest `keep`. */
  async markLatest(step: number, keep = 2): Promise<void> {
    // The folder name, not a path, so a run folder can be moved and still resume.
    await writeFileAtomic(this.path(RUN_FILES.latestCheckpoint), json({ step, checkpoint: checkpointName(step) }));
    const names = (await readdir(this.path(RUN_FILES.checkpoints))).filter((name) => checkpointNamePattern.test(name));
    for (const name of names.sort().slice(0, Math.max(0, names.length - keep))) {
      await rm(this.path(join(RUN_FILES.checkpoints, name)), { recursive: true, force: true });
    }
  }

  async latestCheckpoint(): Promise<LatestCheckpoint | null> {
    const path = this.path(RUN_FILES.latestCheckpoint);
    if (!existsSync(path)) return null;
    const latest = (await readJson(path)) as { step?: unknown; checkpoint?: unknown };
    if (typeof latest?.step !== "number" || typeof latest.checkpoint !== "string") {
      throw new Error(`${path}: expected { "step": number, "checkpoint": string }`);
    }
    return { step: latest.step, directory: this.path(join(RUN_FILES.checkpoints, latest.checkpoint)) };
  }
}
