import { availableParallelism } from "node:os";
import type { Task } from "@ibtpo/bench-harness";
import {
  type LoadedCheckpoint,
  loadCheckpoint,
  ModelWorkerPool,
  PolicyOptimizer,
  type SymbolTokenizer,
  TfjsPolicy,
} from "@ibtpo/policy-tfjs";
import type { AdvantageEstimator, TrainingPreset } from "@ibtpo/tpo-loss";
import type { Policy, Sampler, SamplerKind } from "@ibtpo/tree-sampler";
import * as tf from "@tensorflow/tfjs";
import type { TrainConfig } from "../config/train-config.js";
import type { PolicyUpdateInputs } from "./policy-update.js";
import type { ResolvedAlgorithm } from "./resolve-algorithm.js";
import { resolveTrainingWorkers } from "./training-workers.js";

/** Everything one RL step needs; built once per run. */
export interface RlContext {
  readonly config: TrainConfig;
  readonly task: Task;
  readonly tokenizer: SymbolTokenizer;
  /** The policy trees are sampled from (the model being trained). */
  readonly policy: Policy;
  /** Longest token sequence the policy takes: prompt plus response. */
  readonly contextLength: number;
  readonly preset: TrainingPreset;
  readonly sampler: Sampler;
  /** The sampler's kind, which decides how its requests are batched (rl-step's `samplingScheme`). */
  readonly samplerKind: SamplerKind;
  readonly estimator: AdvantageEstimator;
  readonly maxResponseLength: number;
  /** What the gradient step reads. */
  readonly update: PolicyUpdateInputs;
  readonly signal?: AbortSignal;
}

/**
 * The context of a run from its loaded checkpoint: the optimizer (its state restored when
 * resuming), the frozen reference when the loss has a KL term, and the sampling policy. With
 * `workers` > 0 (wasm or cpu backend), one pool of worker threads serves both sampling and the
 * gradient step; the numbers are those of a run without workers.
 */
export async function buildRlContext(
  config: TrainConfig,
  algorithm: ResolvedAlgorithm,
  task: Task,
  loaded: LoadedCheckpoint,
  options: {
    readonly resume: boolean;
    /** Worker threads (default 0), as `resolveTrainingWorkers` gives them. */
    readonly workers?: number;
  },
): Promise<RlContext> {
  const { model, tokenizer } = loaded;
  const optimizer = new PolicyOptimizer(model, {
    learningRate: {
      peak: config.optimizer.learningRate,
      warmupSteps: config.optimizer.warmupSteps,
      decay: config.optimizer.schedule,
      totalSteps: config.steps * config.optimizer.epochs * config.optimizer.miniBatches,
    },
    weightDecay: config.optimizer.weightDecay,
    maxGradientNorm: config.optimizer.maxGradientNorm,
  });
  if (loaded.optimizerState !== null && options.resume) optimizer.loadState(loaded.optimizerState);
  const reference = algorithm.preset.loss.klCoefficient > 0 ? (await loadCheckpoint(config.init)).model : null;
  const maxResponseLength = config.maxResponseLength ?? task.maxResponseSymbols + 1;
  // Refuses workers on a backend other than wasm or cpu, so the cast below holds.
  const backend = tf.getBackend();
  const workers = resolveTrainingWorkers(options.workers ?? 0, { cores: availableParallelism(), backend });
  const workerPool = workers > 0 ? new ModelWorkerPool(workers, backend as "wasm" | "cpu") : null;
  return {
    config,
    task,
    tokenizer,
    policy: TfjsPolicy.fromTokenizer(model, tokenizer, {
      seed: config.seed,
      maxBatchSize: 128,
      ...(workerPool === null ? {} : { workerPool }),
    }),
    contextLength: model.config.contextLength,
    preset: algorithm.preset,
    sampler: algorithm.sampler,
    samplerKind: algorithm.config.kind,
    estimator: algorithm.estimator,
    maxResponseLength,
    update: {
      model,
      reference,
      optimizer,
      loss: algorithm.preset.loss,
      temperature: config.sampling.temperature,
      microBatchSize: config.optimizer.microBatchSize,
      epochs: config.optimizer.epochs,
      miniBatches: config.optimizer.miniBatches,
      maxResponseLength,
      workerPool,
    },
  };
}

/** Release the tensors and optimizer slots a context holds and stop its worker threads. */
export function disposeRlContext(context: RlContext): void {
  void context.update.workerPool?.terminate();
  context.update.optimizer.dispose();
  context.update.model.dispose();
  context.update.reference?.dispose();
}
