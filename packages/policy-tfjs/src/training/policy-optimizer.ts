import * as tf from "@tensorflow/tfjs";
import { PolicyTfjsError } from "../errors.js";
import type { TransformerModel } from "../model/transformer-model.js";
import { ModelWorkerPool } from "../workers/model-worker-pool.js";
import { accumulateGradients, type MicroBatchLoss, microBatchWeights } from "./accumulate-gradients.js";
import { adamStep, gradientNorm } from "./adam-step.js";
import { type LearningRateSchedule, learningRateAt } from "./learning-rate-schedule.js";
import { assignMoments, matchMoments, momentsToWeights, type OptimizerState } from "./optimizer-state.js";
import { sharedGradients } from "./shared-gradients.js";

export interface OptimizerOptions {
  /** A fixed learning rate or a schedule over optimizer steps. */
  readonly learningRate: number | LearningRateSchedule;
  /** Default 0.9. */
  readonly beta1?: number;
  /** Default 0.999. */
  readonly beta2?: number;
  /** Default 1e-8. */
  readonly epsilon?: number;
  /** Decoupled (AdamW) weight decay on weight matrices; 0 (default) is plain Adam. */
  readonly weightDecay?: number;
  /** Clip the accumulated gradient to this global L2 norm; default 1; Infinity turns clipping off. */
  readonly maxGradientNorm?: number;
}

/** What one optimizer step did. */
export interface TrainStepResult {
  /** Weighted sum of the micro-batch losses (their mean with the default weights). */
  readonly loss: number;
  /** Global L2 norm of the accumulated gradient before clipping. */
  readonly gradientNorm: number;
  /** Learning rate used for this step. */
  readonly learningRate: number;
  /** 1-based count of applied steps after this one. */
  readonly step: number;
  /** True when the gradient was not finite and the weights were left unchanged. */
  readonly skipped: boolean;
  /**
   * `trainStepInWorkers` only: what the loss module returned as `report` for each micro-batch,
   * in micro-batch order (undefined where it returned a bare scalar).
   */
  readonly reports?: readonly unknown[];
}

/**
 * Adam / AdamW over a {@link TransformerModel}'s weights, with global-norm clipping (tfjs has none),
 * a learning-rate schedule, and gradient accumulation over micro-batches (the wasm heap grows to
 * the peak of one pass and aborts near 4 GB, so large batches must be split).
 *
 * @example
 * const optimizer = new PolicyOptimizer(model, { learningRate: { peak: 3e-4, warmupSteps: 20 }, weightDecay: 0.01 });
 * const result = optimizer.trainStep(splitIntoMicroBatches(rows, 8), (microBatch) => sftLoss(model, microBatch));
 * result.loss; result.gradientNorm; result.learningRate;
 */
export class PolicyOptimizer {
  private readonly variables: tf.Variable[];
  private readonly decays: boolean[];
  private readonly names: string[];
  private readonly firstMoments: tf.Variable[];
  private readonly secondMoments: tf.Variable[];
  private stepCount = 0;
  private pool: ModelWorkerPool | null = null;

  constructor(
    readonly model: TransformerModel,
    readonly options: OptimizerOptions,
  ) {
    this.variables = model.variables();
    this.names = model.specs.map((spec) => spec.name);
    this.decays = model.specs.map((spec) => spec.decay);
    // Moments exist from the start so the tensor count never changes between steps.
    this.firstMoments = this.variables.map((variable) => tf.tidy(() => tf.variable(tf.zerosLike(variable), false)));
    this.secondMoments = this.variables.map((variable) => tf.tidy(() => tf.variable(tf.zerosLike(variable), false)));
  }

  /** Number of optimizer steps applied so far. */
  get step(): number {
    return this.stepCount;
  }

  /**
   * One optimizer step: the gradient is the weighted sum of each micro-batch's loss gradient
   * (weights default to 1 / micro-batch count, so equal-sized micro-batches give the full-batch
   * mean), clipped to `maxGradientNorm`, then applied by Adam(W). `lossFn` must return a scalar
   * built from the model's weights (for example via `responseLogProbs`). When each micro-batch
   * loss is already divided by the whole batch's token count (a token-mean over the full batch),
   * pass `weights` of all 1 so the gradients simply add up.
   */
  trainStep<T>(
    microBatches: readonly T[],
    lossFn: MicroBatchLoss<T>,
    options: { readonly weights?: readonly number[] } = {},
  ): TrainStepResult {
    const weights = microBatchWeights(microBatches.length, options.weights);
    const { gradients, loss } = accumulateGradients(this.variables, microBatches, lossFn, weights);
    return this.applyGradients(gradients, loss);
  }

  /**
   * {@link PolicyOptimizer.trainStep} with the micro-batches shared between this thread and
   * `options.workers` worker threads (default 1), so a step uses more than one core on the
   * single-threaded wasm backend. The loss cannot be a closure here: it is the named export
   * `exportName` (default "loss") of the module at `lossModule` (a file URL), a function
   * `(model, microBatch, index) => tf.Scalar | { loss, report }` that every thread imports (write
   * it in your app's module format, ES or CommonJS, so it shares your copy of tfjs);
   * micro-batches and reports must be plain data (structured-cloneable). The largest
   * micro-batches by `costs` (default equal; for example rows x padded width) go to the workers
   * first, so this thread, which also takes the optimizer step, ends its share first. Workers send
   * each micro-batch's weighted gradient and all are added in micro-batch order, so the step is
   * the same numbers as `trainStep` with the same loss, and as `workers: 0` (everything on this
   * thread, no worker started: the single-thread run of the same code path).
   * `SFT_LOSS_MODULE` is a ready-made module for supervised fine-tuning.
   *
   * @example
   * // my-loss.js: export function loss(model, microBatch) { return sftLoss(model, microBatch.rows); }
   * await optimizer.trainStepInWorkers(microBatches, new URL("./my-loss.js", import.meta.url).href);
   * await optimizer.trainStepInWorkers(rowBatches, SFT_LOSS_MODULE);
   */
  async trainStepInWorkers<T>(
    microBatches: readonly T[],
    lossModule: string,
    options: {
      readonly exportName?: string;
      readonly weights?: readonly number[];
      /** Relative cost of each micro-batch, to balance the threads' shares (default equal). */
      readonly costs?: readonly number[];
      /** Worker threads to start (default 1; 0 runs every micro-batch here) when no `workerPool` is given. */
      readonly workers?: number;
      /** Existing worker threads to use (for example a policy's), left running by `dispose()`. */
      readonly workerPool?: ModelWorkerPool;
    } = {},
  ): Promise<TrainStepResult> {
    const weights = microBatchWeights(microBatches.length, options.weights);
    const exportName = options.exportName ?? "loss";
    const count = options.workers ?? 1;
    if (!Number.isInteger(count) || count < 0)
      throw new PolicyTfjsError(`must be an integer >= 0, got ${count}`, "workers");
    const pool = options.workerPool ?? (count === 0 ? null : this.workerPool(count));
    if (options.costs !== undefined && options.costs.length !== microBatches.length)
      throw new PolicyTfjsError(`${options.costs.length} costs for ${microBatches.length} micro-batches`, "costs");
    const { gradients, loss, reports } = await sharedGradients(this.model, pool, microBatches, {
      lossModule,
      exportName,
      weights,
      ...(options.costs === undefined ? {} : { costs: options.costs }),
    });
    return { ...this.applyGradients(gradients, loss), reports };
  }

  /** Clip and apply accumulated gradients (disposed here) as one step. */
  private applyGradients(gradients: tf.Tensor[], loss: number): TrainStepResult {
    const norm = gradientNorm(gradients);
    const learningRate = this.currentLearningRate();
    const skipped = !Number.isFinite(norm);
    if (!skipped) this.applyAdam(gradients, this.clipScale(norm), learningRate);
    tf.dispose(gradients);
    return { loss, gradientNorm: norm, learningRate, step: this.stepCount, skipped };
  }

  private workerPool(count: number): ModelWorkerPool {
    const backend = tf.getBackend();
    if (backend !== "wasm" && backend !== "cpu") {
      throw new PolicyTfjsError(`worker threads run the wasm or cpu backend, not "${backend}"`, "workers");
    }
    if (this.pool === null || this.pool.size !== count) {
      void this.pool?.terminate();
      this.pool = new ModelWorkerPool(count, backend);
    }
    return this.pool;
  }

  /** The learning rate the next step will use. */
  currentLearningRate(): number {
    const schedule = this.options.learningRate;
    return typeof schedule === "number" ? schedule : learningRateAt(schedule, this.stepCount);
  }

  private clipScale(gradientNorm: number): number {
    const limit = this.options.maxGradientNorm ?? 1;
    return gradientNorm > limit ? limit / gradientNorm : 1;
  }

  private applyAdam(gradients: readonly tf.Tensor[], clipScale: number, learningRate: number): void {
    const beta1 = this.options.beta1 ?? 0.9;
    const beta2 = this.options.beta2 ?? 0.999;
    const epsilon = this.options.epsilon ?? 1e-8;
    const weightDecay = this.options.weightDecay ?? 0;
    const t = this.stepCount + 1;
    const firstCorrection = 1 - beta1 ** t;
    const secondCorrection = 1 - beta2 ** t;
    tf.tidy(() => {
      this.variables.forEach((variable, index) => {
        const update = adamStep(variable, gradients[index]!, this.firstMoments[index]!, this.secondMoments[index]!, {
          clipScale,
          beta1,
          beta2,
          stepSize: learningRate / firstCorrection,
          secondCorrection,
          epsilon,
          decay: learningRate * weightDecay,
          decays: weightDecay > 0 && this.decays[index]!,
        });
        variable.assign(update.param);
        this.firstMoments[index]!.assign(update.first);
        this.secondMoments[index]!.assign(update.second);
      });
    });
    this.stepCount = t;
    this.model.markWeightsChanged();
  }

  /** Copy the step count and moments out, for a checkpoint. */
  exportState(): OptimizerState {
    return {
      step: this.stepCount,
      firstMoments: momentsToWeights(this.firstMoments, this.names, "adam_m"),
      secondMoments: momentsToWeights(this.secondMoments, this.names, "adam_v"),
    };
  }

  /**
   * Restore a state from {@link PolicyOptimizer.exportState}; names and shapes must match this
   * model, and nothing changes unless all of them do.
   */
  loadState(state: OptimizerState): void {
    if (!Number.isInteger(state.step) || state.step < 0)
      throw new PolicyTfjsError(`invalid step ${state.step}`, "step");
    const first = matchMoments(this.firstMoments, state.firstMoments, this.names, "adam_m");
    const second = matchMoments(this.secondMoments, state.secondMoments, this.names, "adam_v");
    assignMoments(this.firstMoments, first);
    assignMoments(this.secondMoments, second);
    this.stepCount = state.step;
  }

  /** Free the moment variables and stop any worker threads (the model's weights are untouched). */
  dispose(): void {
    tf.dispose([...this.firstMoments, ...this.secondMoments]);
    void this.pool?.terminate();
    this.pool = null;
  }
}

/** Split rows into consecutive micro-batches of at most `size` rows. */
export function splitIntoMicroBatches<T>(rows: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new PolicyTfjsError(`must be a positive integer, got ${size}`, "size");
  const batches: T[][] = [];
  for (let start = 0; start < rows.length; start += size) batches.push(rows.slice(start, start + size));
  return batches;
}
