import { type Problem, type RunFolder, type StepMetrics, sampleProblems } from "@ibtpo/bench-harness";
import { saveCheckpoint } from "@ibtpo/policy-tfjs";
import { greedyPassAt1 } from "../runtime/evaluate-checkpoint.js";
import { Progress, shown } from "../runtime/progress.js";
import type { RlContext } from "./rl-context.js";
import { rlStep } from "./rl-step.js";
import { saveStepTrees, savesTreesAt } from "./step-trees.js";

export interface TrainingLoopOptions {
  readonly folder: RunFolder;
  readonly startStep: number;
  /** Metrics of the steps already taken; each new step is appended. */
  readonly history: StepMetrics[];
  /** Recorded in every checkpoint's metadata, so a resume can check the checkpoint belongs to the run. */
  readonly configHash: string;
  readonly log: (line: string) => void;
  readonly progress: boolean;
}

/**
 * RL steps from `startStep` to `config.steps`: metrics appended to metrics.jsonl every step,
 * greedy validation every `evaluation.every` steps, a checkpoint every `checkpointEvery` steps
 * and after the last, the sampled trees every `treesEvery` steps and at the last (trees/). Ctrl-C (SIGINT/SIGTERM) finishes the current step, saves and stops; a
 * second one quits at once. Returns whether the run was stopped before its last step.
 */
export async function runTrainingLoop(context: RlContext, options: TrainingLoopOptions): Promise<{ stopped: boolean }> {
  const { config, task, tokenizer } = context;
  const { model, optimizer } = context.update;
  const { folder, startStep, history, log } = options;
  const validationProblems: Problem[] =
    config.evaluation.every > 0
      ? sampleProblems(task, { split: "validation", count: config.evaluation.validationProblems, seed: 0 })
      : [];
  const saveAt = async (step: number) => {
    await saveCheckpoint(folder.checkpointDirectory(step), {
      model,
      tokenizer,
      optimizer,
      metadata: {
        step,
        algorithm: config.algorithm,
        task: config.task,
        seed: config.seed,
        configHash: options.configHash,
      },
    });
    await folder.markLatest(step);
  };

  let stopRequested = false;
  const onSignal = () => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    log("\nstopping after this step and saving a checkpoint (press Ctrl-C again to quit now)");
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const progress = options.progress ? new Progress(config.algorithm, config.steps) : null;
  progress?.update(startStep - 1);
  let lastSaved = startStep - 1;
  let lastValidation = Number.NaN;
  try {
    for (let step = startStep; step <= config.steps && !stopRequested; step++) {
      let metrics = await rlStep(context, step, async (sample) => {
        if (savesTreesAt(step, config.treesEvery, config.steps)) await saveStepTrees(folder, step, sample, tokenizer);
      });
      if (config.evaluation.every > 0 && step % config.evaluation.every === 0) {
        lastValidation = await greedyPassAt1({
          model,
          tokenizer,
          task,
          problems: validationProblems,
          seed: config.seed,
          workerPool: context.update.workerPool,
        });
        metrics = { ...metrics, validationAccuracy: lastValidation };
      }
      history.push(metrics);
      await folder.appendMetrics(metrics);
      if (step % config.checkpointEvery === 0 || step === config.steps) {
        await saveAt(step);
        lastSaved = step;
      }
      progress?.update(step, {
        reward: shown(metrics.accuracy),
        J: shown(metrics.ibScore ?? null),
        Cov: shown(metrics.ibCov ?? null),
        H: shown(metrics.entropy ?? null),
        "Eff-Rate": shown(metrics.effRate ?? null, 2),
        "tok/s": shown(metrics.tokensPerSecond as number, 0),
        "val pass@1": shown((metrics.validationAccuracy as number | null | undefined) ?? lastValidation, 2),
      });
      // Sampling and updates rarely yield to the event loop; let the progress display and the
      // signal handlers run between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const finished = history.length > 0 ? history[history.length - 1]!.step : startStep - 1;
    if (finished > lastSaved) await saveAt(finished);
  } finally {
    progress?.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return { stopped: stopRequested };
}
