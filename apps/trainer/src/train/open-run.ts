import { RunFolder, type StepMetrics, type Task } from "@ibtpo/bench-harness";
import { selectBackend } from "@ibtpo/policy-tfjs";
import { ConfigError } from "../config/config-error.js";
import type { TrainConfig } from "../config/train-config.js";
import { resolveCheckpoint } from "../runtime/resolve-checkpoint.js";
import { createTask } from "../runtime/task-setup.js";
import { type ResolvedAlgorithm, resolveAlgorithm } from "./resolve-algorithm.js";
import { runConfigRecord } from "./run-config.js";

/** A run folder ready for its next step. */
export interface OpenedRun {
  readonly folder: RunFolder;
  readonly algorithm: ResolvedAlgorithm;
  readonly task: Task;
  /** The checkpoint training continues from: the base, or the run's latest when resuming. */
  readonly checkpointDirectory: string;
  readonly startStep: number;
  /** Metrics of the steps already taken (empty for a new run). */
  readonly history: StepMetrics[];
}

/**
 * Checks the config against the base checkpoint, selects the tensor backend, then starts a new
 * run folder (recording the resolved config) or, with `resume`, finds the latest checkpoint and
 * drops the metrics of steps after it. Nothing is written when a check fails.
 */
export async function openRun(
  config: TrainConfig,
  options: { readonly out: string; readonly resume?: boolean; readonly log: (line: string) => void },
): Promise<OpenedRun> {
  const folder = new RunFolder(options.out);
  const algorithm = resolveAlgorithm(config);
  const base = await resolveCheckpoint(config.init);
  if (base.task !== null && base.task !== config.task) {
    throw new ConfigError(
      `config key "task" is ${config.task}, but the base checkpoint ${config.init} was trained on ${base.task}`,
    );
  }
  // The base checkpoint's difficulty knobs apply unless the config sets its own.
  const taskOptions = Object.keys(config.taskOptions).length > 0 ? config.taskOptions : base.taskOptions;
  const task = createTask(config.task, taskOptions);
  await selectBackend({ backend: config.backend, log: options.log });
  const opened = { folder, algorithm, task };
  if (options.resume) {
    const latest = await folder.latestCheckpoint();
    const startStep = latest === null ? 1 : latest.step + 1;
    const history = await folder.truncateMetrics(startStep - 1);
    options.log(`resuming ${options.out} after step ${startStep - 1}`);
    return { ...opened, checkpointDirectory: latest?.directory ?? config.init, startStep, history };
  }
  if (folder.hasMetrics()) {
    throw new ConfigError(
      `run folder ${options.out} already holds a run; pass --resume to continue it or choose another --out`,
    );
  }
  await folder.create(
    runConfigRecord(
      { ...config, taskOptions: { ...task.options }, out: options.out },
      { resolved: algorithm.preset, samplerConfig: algorithm.config },
    ),
  );
  return { ...opened, checkpointDirectory: config.init, startStep: 1, history: [] };
}
