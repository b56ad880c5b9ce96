import { existsSync } from "node:fs";
import { appendFile, mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { BenchHarnessError } from "../errors.js";
import type { EvaluationSummary } from "../evaluation/evaluate-policy.js";
import { removeStaleTemporaryFiles, writeFileAtomic } from "./atomic-write.js";
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
  /** The folder it was read from (set by {@link readRunFolder}). */
  readonly directory?: string;
  /** Steps whose sampled trees have a viewer page in the folder (set by {@link readRunFolder}). */
  readonly treeSteps?: readonly number[];
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
  /** Sampled trees of saved steps: `trees/step-NNNNNN.jsonl` and its viewer page `.html`. */
  trees: "trees",
} as const;

/** The name of a step's checkpoint folder and tree files: `step-` and the step padded to six digits. */
const stepName = (step: number) => `step-${String(step).padStart(6, "0")}`;
/** A step checkpoint folder's name (a longer number once a run passes 999,999 steps). */
const STEP_NAME = /^step-(\d{6,})$/;
const TREE_VIEWER_NAME = /^step-(\d{6,})\.html$/;

/**
 * A step's tree files inside a run folder, relative to it: the rollouts JSONL (ib-score's tokens
 * format) and the tree-viewer page drawn from it.
 *
 * @example
 * stepTreeFiles(12); // { rollouts: "trees/step-000012.jsonl", viewer: "trees/step-000012.html" }
 */
export function stepTreeFiles(step: number): { readonly rollouts: string; readonly viewer: string } {
  const base = join(RUN_FILES.trees, stepName(step));
  return { rollouts: `${base}.jsonl`, viewer: `${base}.html` };
}

/** Steps of a run folder with a tree-viewer page, ascending. */
async function treeViewerSteps(dir: string): Promise<number[]> {
  const names = await readdir(join(dir, RUN_FILES.trees)).catch(() => [] as string[]);
  return names
    .map((name) => TREE_VIEWER_NAME.exec(name))
    .filter((match) => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => a - b);
}

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

/** Whether a folder holds a run: training started there (it has metrics.jsonl). */
export function isRunFolder(dir: string): boolean {
  return existsSync(join(dir, RUN_FILES.metrics));
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
  return { config, history, evaluation, directory: dir, treeSteps: await treeViewerSteps(dir) };
}

/** The checkpoint a run would resume from. */
export interface LatestCheckpoint {
  readonly step: number;
  readonly directory: string;
}

/** Complete step checkpoints (with a manifest) of a checkpoints folder, newest first. */
async function completeCheckpoints(checkpoints: string): Promise<LatestCheckpoint[]> {
  if (!existsSync(checkpoints)) return [];
  return (await readdir(checkpoints))
    .map((name) => ({ name, match: STEP_NAME.exec(name) }))
    .filter(({ name, match }) => match !== null && existsSync(join(checkpoints, name, "manifest.json")))
    .map(({ name, match }) => ({ step: Number(match?.[1]), directory: join(checkpoints, name) }))
    .sort((a, b) => b.step - a.step);
}

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
    return isRunFolder(this.directory);
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
    return this.path(join(RUN_FILES.checkpoints, stepName(step)));
  }

  /**
   * Save a step's sampled trees: the rollouts JSONL and its viewer page, each atomically (the
   * page last, so a page always has its rollouts beside it).
   */
  async writeStepTrees(step: number, rollouts: string, viewerHtml: string): Promise<void> {
    const files = stepTreeFiles(step);
    await mkdir(this.path(RUN_FILES.trees), { recursive: true });
    await writeFileAtomic(this.path(files.rollouts), rollouts);
    await writeFileAtomic(this.path(files.viewer), viewerHtml);
  }

  /**
   * Remove what writes killed between their temporary file and its rename left in the folder, its
   * trees and its checkpoints folder (files of processes no longer running); returns their paths
   * relative to the folder.
   */
  async removeStaleTemporaryFiles(): Promise<string[]> {
    const removed: string[] = [];
    for (const sub of [".", RUN_FILES.trees, RUN_FILES.checkpoints]) {
      for (const name of await removeStaleTemporaryFiles(this.path(sub))) removed.push(join(sub, name));
    }
    return removed;
  }

  /** Remove the saved trees of steps after `step` (a resumed run samples those steps again). */
  async removeTreesAfter(step: number): Promise<void> {
    const trees = this.path(RUN_FILES.trees);
    const names = await readdir(trees).catch(() => [] as string[]);
    for (const name of names) {
      const match = /^step-(\d{6,})\.(jsonl|html)$/.exec(name);
      if (match !== null && Number(match[1]) > step) await rm(join(trees, name), { force: true });
    }
  }

  /** Record `step` as the latest complete checkpoint, then drop all but the newest `keep`. */
  async markLatest(step: number, keep = 2): Promise<void> {
    // The folder name, not a path, so a run folder can be moved and still resume.
    await writeFileAtomic(this.path(RUN_FILES.latestCheckpoint), json({ step, checkpoint: stepName(step) }));
    const names = (await readdir(this.path(RUN_FILES.checkpoints))).filter((name) => STEP_NAME.test(name));
    for (const name of names.sort().slice(0, Math.max(0, names.length - keep))) {
      await rm(this.path(join(RUN_FILES.checkpoints, name)), { recursive: true, force: true });
    }
  }

  /**
   * Where the run resumes: the checkpoint `latest.json` names, which must be a step checkpoint
   * inside the run's checkpoints folder (a name such as `../../elsewhere` is refused) whose step
   * matches; when `latest.json` is missing or unreadable, or names a checkpoint that is gone or
   * incomplete (no manifest.json), the newest complete step checkpoint, and `log` says why. Null
   * when the run has none.
   */
  async latestCheckpoint(log: (line: string) => void = () => {}): Promise<LatestCheckpoint | null> {
    const checkpoints = this.path(RUN_FILES.checkpoints);
    const latestPath = this.path(RUN_FILES.latestCheckpoint);
    const fallback = async (why: string) => {
      const [newest] = await completeCheckpoints(checkpoints);
      if (newest !== undefined) log(`${why}; resuming from the newest complete checkpoint, ${newest.directory}`);
      return newest ?? null;
    };
    if (!existsSync(latestPath)) return fallback(`${latestPath} is missing`);
    let latest: unknown;
    try {
      latest = JSON.parse(await readFile(latestPath, "utf8"));
    } catch (error) {
      return fallback(`${latestPath}: invalid JSON (${(error as Error).message})`);
    }
    const { step, checkpoint } = (latest ?? {}) as { step?: unknown; checkpoint?: unknown };
    const match = typeof checkpoint === "string" ? STEP_NAME.exec(checkpoint) : null;
    if (match === null) {
      throw new BenchHarnessError(
        `"checkpoint" is ${JSON.stringify(checkpoint)}, not a step checkpoint of this run (step-NNNNNN); a run only resumes from its own checkpoints folder`,
        latestPath,
      );
    }
    if (step !== Number(match[1])) {
      throw new BenchHarnessError(`"step" is ${JSON.stringify(step)} but the checkpoint is ${checkpoint}`, latestPath);
    }
    const directory = join(checkpoints, checkpoint as string);
    if (!existsSync(join(directory, "manifest.json")))
      return fallback(`${directory} (named by latest.json) is incomplete`);
    return { step, directory };
  }
}
