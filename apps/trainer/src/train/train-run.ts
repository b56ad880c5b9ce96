import { type EvaluationSummary, type StepMetrics, sampleProblems } from "@ibtpo/bench-harness";
import {
  loadCheckpoint,
  PolicyOptimizer,
  saveCheckpoint,
  selectBackend,
  TfjsPolicy,
  type TransformerModel,
} from "@ibtpo/policy-tfjs";
import { createAdvantageEstimator, type PresetName, TpoLossInputError, trainingPreset } from "@ibtpo/tpo-loss";
import { TreeSamplerError } from "@ibtpo/tree-sampler";
import { ConfigError } from "../config/config-error.js";
import { precheckTrainRun } from "../config/precheck-train.js";
import type { TrainConfig } from "../config/train-config.js";
import { withoutUndefined } from "../config/without-undefined.js";
import { writeJsonAtomic } from "../runtime/atomic-file.js";
import { evaluateModel, greedyPassAt1 } from "../runtime/evaluate-checkpoint.js";
import { Progress, shown } from "../runtime/progress.js";
import { resolveCheckpoint } from "../runtime/resolve-checkpoint.js";
import { createTask } from "../runtime/task-setup.js";
import {
  findResumePoint,
  removeStaleTemporaryFolders,
  runConfigHash,
  verifyCheckpointBelongs,
  verifyMetricsFile,
} from "../runtime/verify-run-folder.js";
import { rlStep } from "./rl-step.js";
import { RUN_LAYOUT, RunFolder } from "./run-folder.js";
import { samplerFor } from "./sampler-config.js";

export interface TrainOptions {
  /** The run folder. */
  readonly out: string;
  /** Continue the run in `out` from its latest checkpoint. */
  readonly resume?: boolean;
  readonly log: (line: string) => void;
  /** Show progress bars (default true). */
  readonly progress?: boolean;
}

export interface TrainResult {
  readonly runDirectory: string;
  readonly history: StepMetrics[];
  /** Null when the run was interrupted before its last step. */
  readonly evaluation: EvaluationSummary | null;
}

/** The preset, sampler and estimator a config asks for; errors name the config key. */
function resolveAlgorithm(config: TrainConfig) {
  try {
    const preset = trainingPreset(config.algorithm as PresetName, {
      advantage: withoutUndefined(config.advantage),
      loss: withoutUndefined(config.loss),
      ...(config.dynamicSampling === undefined ? {} : { dynamicSampling: config.dynamicSampling }),
      ...(config.tokenWeighting === undefined ? {} : { tokenWeighting: config.tokenWeighting }),
    });
    return {
      preset,
      estimator: createAdvantageEstimator(preset.advantage),
      ...samplerFor(preset.sampler, config.sampler),
    };
  } catch (error) {
    if ((TpoLossInputError.isInstance(error) || TreeSamplerError.isInstance(error)) && error.location !== undefined) {
      const key = error.location.replace(/^option /, "");
      throw new ConfigError(`config for algorithm ${config.algorithm}, key "${key}": ${error.message}`);
    }
    throw error;
  }
}

/**
 * RL training from a base checkpoint: `steps` RL steps, a checkpoint every `checkpointEvery`
 * steps and on Ctrl-C (SIGINT/SIGTERM), metrics appended to metrics.jsonl every step, then the
 * final evaluation on the test split. With `resume`, continues from the latest checkpoint with
 * the same problems and seeds an uninterrupted run would have used.
 */
export async function train(config: TrainConfig, options: TrainOptions): Promise<TrainResult> {
  const { log } = options;
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
  if (!options.resume) precheckTrainRun(config, task, options.out);
  await selectBackend({ backend: config.backend, log });

  let startStep = 1;
  let checkpointDirectory = config.init;
  // Every check of the run folder and the checkpoint comes before anything in the folder changes.
  if (options.resume) {
    const latest = await findResumePoint(options.out, log);
    await verifyMetricsFile(folder.path(RUN_LAYOUT.metrics));
    if (latest !== null) {
      await verifyCheckpointBelongs(latest.directory, { directory: options.out, ...config }, config.init);
      checkpointDirectory = latest.directory;
      startStep = latest.step + 1;
    }
  } else if (folder.hasMetrics()) {
    throw new ConfigError(
      `run folder ${options.out} already holds a run; pass --resume to continue it or choose another --out`,
    );
  }
  const loaded = await loadCheckpoint(checkpointDirectory);
  let history: StepMetrics[] = [];
  if (options.resume) {
    await removeStaleTemporaryFolders(options.out);
    history = await folder.truncateMetrics(startStep - 1);
    log(`resuming ${options.out} after step ${startStep - 1}`);
  } else {
    await folder.create({
      ...config,
      taskOptions: task.options,
      out: options.out,
      // The whole run's generated-token allowance, as comparisons count it.
      tokenBudget: config.budget * config.promptsPerStep * config.steps,
      resolved: algorithm.preset,
      samplerConfig: algorithm.config,
    });
  }
  const configHash = await runConfigHash(options.out);
  const { model, tokenizer } = loaded;
  const optimizer = new PolicyOptimizer(model, {
    learningRate: {
      peak: config.optimizer.learningRate,
      warmupSteps: config.optimizer.warmupSteps,
      decay: config.optimizer.schedule,
      totalSteps: config.steps * config.optimizer.epochs,
    },
    weightDecay: config.optimizer.weightDecay,
    maxGradientNorm: config.optimizer.maxGradientNorm,
  });
  if (loaded.optimizerState !== null && options.resume) optimizer.loadState(loaded.optimizerState);
  const reference: TransformerModel | null =
    algorithm.preset.loss.klCoefficient > 0 ? (await loadCheckpoint(config.init)).model : null;
  const context = {
    config,
    task,
    tokenizer,
    model,
    reference,
    policy: TfjsPolicy.fromTokenizer(model, tokenizer, { seed: config.seed, maxBatchSize: 128 }),
    optimizer,
    preset: algorithm.preset,
    sampler: algorithm.sampler,
    estimator: algorithm.estimator,
    maxResponseLength: config.maxResponseLength ?? task.maxResponseSymbols + 1,
  };

  const validationProblems =
    config.evaluation.every > 0
      ? sampleProblems(task, { split: "validation", count: config.evaluation.validationProblems, seed: 0 })
      : [];
  const saveAt = async (step: number) => {
    await saveCheckpoint(folder.checkpointDirectory(step), {
      model,
      tokenizer,
      optimizer,
      metadata: { step, algorithm: config.algorithm, task: config.task, seed: config.seed, configHash },
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
  const progress = options.progress === false ? null : new Progress(config.algorithm, config.steps);
  progress?.update(startStep - 1);
  let lastSaved = startStep - 1;
  let lastValidation = Number.NaN;
  try {
    for (let step = startStep; step <= config.steps && !stopRequested; step++) {
      let metrics = await rlStep(context, step);
      if (config.evaluation.every > 0 && step % config.evaluation.every === 0) {
        lastValidation = await greedyPassAt1({
          model,
          tokenizer,
          task,
          problems: validationProblems,
          seed: config.seed,
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
        IB: shown(metrics.ibScore ?? null),
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
  if (stopRequested) {
    optimizer.dispose();
    return { runDirectory: options.out, history, evaluation: null };
  }

  const evaluation = await evaluateModel({
    model,
    tokenizer,
    task,
    problems: sampleProblems(task, { split: "test", count: config.evaluation.problems, seed: 0 }),
    samples: config.evaluation.samples,
    temperature: config.evaluation.temperature,
    seed: config.seed,
    ...(options.progress === false ? {} : { label: "test" }),
  });
  await writeJsonAtomic(folder.path(RUN_LAYOUT.evaluation), evaluation);
  optimizer.dispose();
  model.dispose();
  reference?.dispose();
  return { runDirectory: options.out, history, evaluation };
}
