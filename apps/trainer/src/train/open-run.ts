import { RUN_FILES, RunFolder, type StepMetrics, type Task } from "@ibtpo/bench-harness";
import { type LoadedCheckpoint, loadCheckpoint, selectBackend } from "@ibtpo/policy-tfjs";
import { ConfigError } from "../config/config-error.js";
import { precheckTrainRun } from "../config/precheck-train.js";
import type { TrainConfig } from "../config/train-config.js";
import {
  removeStaleTemporaryFolders,
  runConfigHash,
  verifyCheckpointBelongs,
  verifyMetricsFile,
} from "../runtime/verify-run-folder.js";
import { type ResolvedAlgorithm, resolveAlgorithm } from "./resolve-algorithm.js";
import { recordedTrainSettings, runConfigRecord } from "./run-config.js";
import { runTask } from "./run-task.js";

/** A run folder ready for its next step. */
export interface OpenedRun {
  readonly folder: RunFolder;
  readonly algorithm: ResolvedAlgorithm;
  readonly task: Task;
  /** The checkpoint training continues from: the base, or the run's latest when resuming. */
  readonly checkpointDirectory: string;
  /** That checkpoint, loaded (and checked) before anything in the run folder changed. */
  readonly loaded: LoadedCheckpoint;
  /** Hash of the run's config.json, recorded in each checkpoint so a resume can check it belongs. */
  readonly configHash: string;
  readonly startStep: number;
  /** Metrics of the steps already taken (empty for a new run). */
  readonly history: StepMetrics[];
}

/**
 * Checks the config against the base checkpoint, selects the tensor backend, then starts a new
 * run folder (recording the resolved config) or, with `resume`, finds the latest valid checkpoint
 * of the run (checked to belong to it) and drops the metrics of steps after it. Every check and
 * the checkpoint load come first: nothing is written when one fails.
 */
export async function openRun(
  config: TrainConfig,
  options: { readonly out: string; readonly resume?: boolean; readonly log: (line: string) => void },
): Promise<OpenedRun> {
  const folder = new RunFolder(options.out);
  const algorithm = resolveAlgorithm(config);
  const task = await runTask(config);
  if (!options.resume) precheckTrainRun(config, task, options.out);
  await selectBackend({ backend: config.backend, log: options.log });
  const opened = { folder, algorithm, task };
  if (options.resume) {
    const latest = await folder.latestCheckpoint(options.log);
    await verifyMetricsFile(folder.path(RUN_FILES.metrics));
    if (latest !== null)
      await verifyCheckpointBelongs(latest.directory, { directory: options.out, ...config }, config.init);
    const checkpointDirectory = latest?.directory ?? config.init;
    const loaded = await loadCheckpoint(checkpointDirectory);
    await removeStaleTemporaryFolders(options.out);
    await folder.removeStaleTemporaryFiles();
    const startStep = latest === null ? 1 : latest.step + 1;
    const history = await folder.truncateMetrics(startStep - 1);
    await folder.removeTreesAfter(startStep - 1);
    options.log(`resuming ${options.out} after step ${startStep - 1}`);
    const configHash = await runConfigHash(options.out);
    return { ...opened, checkpointDirectory, loaded, configHash, startStep, history };
  }
  if (folder.hasMetrics()) {
    throw new ConfigError(
      `run folder ${options.out} already holds a run; pass --resume to continue it or choose another --out`,
    );
  }
  const loaded = await loadCheckpoint(config.init);
  await folder.create(
    runConfigRecord(recordedTrainSettings(config, task, options.out), {
      resolved: algorithm.preset,
      samplerConfig: algorithm.config,
    }),
  );
  const configHash = await runConfigHash(options.out);
  return { ...opened, checkpointDirectory: config.init, loaded, configHash, startStep: 1, history: [] };
}
