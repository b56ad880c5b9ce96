import { availableParallelism } from "node:os";
import { type EvaluationSummary, type StepMetrics, sampleProblems } from "@ibtpo/bench-harness";
import * as tf from "@tensorflow/tfjs";
import type { TrainConfig } from "../config/train-config.js";
import { evaluateModel } from "../runtime/evaluate-checkpoint.js";
import { openRun } from "./open-run.js";
import { buildRlContext, disposeRlContext, type RlContext } from "./rl-context.js";
import { runTrainingLoop } from "./training-loop.js";
import { DEFAULT_WORKERS, resolveTrainingWorkers, type WorkersChoice } from "./training-workers.js";

export interface TrainOptions {
  /** The run folder. */
  readonly out: string;
  /** Continue the run in `out` from its latest checkpoint. */
  readonly resume?: boolean;
  readonly log: (line: string) => void;
  /** Show progress bars (default true). */
  readonly progress?: boolean;
  /**
   * Worker threads for sampling and the gradient step (default "auto": one when a second core
   * and a single-threaded backend allow it); the results are the same for any count.
   */
  readonly workers?: WorkersChoice;
}

export interface TrainResult {
  readonly runDirectory: string;
  readonly history: StepMetrics[];
  /** Null when the run was interrupted before its last step. */
  readonly evaluation: EvaluationSummary | null;
}

/** Sampled pass@k of the trained policy on the split `evaluation.split` (test unless set). */
async function finalEvaluation(context: RlContext, showProgress: boolean): Promise<EvaluationSummary> {
  const { config, task, tokenizer } = context;
  const { summary } = await evaluateModel({
    model: context.update.model,
    tokenizer,
    task,
    problems: sampleProblems(task, { split: config.evaluation.split, count: config.evaluation.problems, seed: 0 }),
    samples: config.evaluation.samples,
    temperature: config.evaluation.temperature,
    topP: config.evaluation.topP,
    topK: config.evaluation.topK,
    seed: config.seed,
    workerPool: context.update.workerPool,
    ...(showProgress ? { label: config.evaluation.split } : {}),
  });
  return summary;
}

/**
 * RL training from a base checkpoint: open the run folder, build the context, run the steps,
 * then evaluate on `evaluation.split` (the test split unless set). With `resume`, continues from the latest checkpoint with the
 * same problems and seeds an uninterrupted run would have used.
 */
export async function train(config: TrainConfig, options: TrainOptions): Promise<TrainResult> {
  const run = await openRun(config, options);
  const workers = resolveTrainingWorkers(options.workers ?? DEFAULT_WORKERS, {
    cores: availableParallelism(),
    backend: tf.getBackend(),
  });
  if (workers > 0) options.log(`sampling and training with ${workers} worker thread${workers === 1 ? "" : "s"}`);
  const context = await buildRlContext(config, run.algorithm, run.task, run.loaded, {
    resume: options.resume === true,
    workers,
  });
  const showProgress = options.progress !== false;
  const { stopped } = await runTrainingLoop(context, {
    folder: run.folder,
    startStep: run.startStep,
    history: run.history,
    configHash: run.configHash,
    log: options.log,
    progress: showProgress,
  });
  if (stopped) {
    disposeRlContext(context);
    return { runDirectory: options.out, history: run.history, evaluation: null };
  }
  const evaluation = await finalEvaluation(context, showProgress);
  await run.folder.writeEvaluation(evaluation);
  disposeRlContext(context);
  return { runDirectory: options.out, history: run.history, evaluation };
}
