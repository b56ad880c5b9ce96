import * as tf from "@tensorflow/tfjs";
import { PolicyTfjsError } from "../errors.js";
import { withUncopiedSaves } from "../model/custom-gradient.js";
import type { TransformerModel } from "../model/transformer-model.js";

/** A loss over one micro-batch; `index` is the micro-batch's position in the whole step. */
export type MicroBatchLoss<T> = (microBatch: T, index: number) => tf.Scalar;

/** Weights of the micro-batch gradients in the step: the given ones, or 1 / count each. */
export function microBatchWeights(count: number, weights?: readonly number[]): readonly number[] {
  if (count === 0) throw new PolicyTfjsError("needs at least one micro-batch", "microBatches");
  const resolved = weights ?? Array.from({ length: count }, () => 1 / count);
  if (resolved.length !== count)
    throw new PolicyTfjsError(`${resolved.length} weights for ${count} micro-batches`, "weights");
  return resolved;
}

/** One micro-batch's gradients already multiplied by its weight, and its weighted loss. */
export interface WeightedGradient {
  readonly gradients: tf.Tensor[];
  readonly weightedLoss: number;
}

/** The gradients of one micro-batch's loss times `weight` (zeros for a variable the loss does not reach). */
export function weightedGradient<T>(
  variables: readonly tf.Variable[],
  microBatch: T,
  lossFn: MicroBatchLoss<T>,
  weight: number,
  index: number,
): WeightedGradient {
  const { value, grads } = withUncopiedSaves(() => tf.variableGrads(() => lossFn(microBatch, index), [...variables]));
  const weightedLoss = weight * value.dataSync()[0]!;
  const gradients = tf.tidy(() =>
    variables.map((variable) => {
      const gradient = grads[variable.name];
      return gradient === undefined ? tf.zerosLike(variable) : tf.mul(gradient, weight);
    }),
  );
  tf.dispose([value, grads]);
  return { gradients, weightedLoss };
}

/**
 * Add one micro-batch's weighted gradient to a running sum (disposing both inputs), in the one
 * order every caller uses, so a step shared with worker threads adds exactly like one thread.
 */
export function addWeightedGradient(
  sum: { gradients: tf.Tensor[]; loss: number } | null,
  next: WeightedGradient,
): { gradients: tf.Tensor[]; loss: number } {
  if (sum === null) return { gradients: next.gradients, loss: next.weightedLoss };
  const gradients = tf.tidy(() =>
    sum.gradients.map((gradient, position) => tf.add(gradient, next.gradients[position]!)),
  );
  tf.dispose([sum.gradients, next.gradients]);
  return { gradients, loss: sum.loss + next.weightedLoss };
}

/**
 * The weighted sum of the micro-batches' loss gradients, one tensor per variable (zeros for a
 * variable the loss does not reach), and the weighted sum of their losses. The caller disposes
 * the gradients.
 */
export function accumulateGradients<T>(
  variables: readonly tf.Variable[],
  microBatches: readonly T[],
  lossFn: MicroBatchLoss<T>,
  weights: readonly number[],
): { gradients: tf.Tensor[]; loss: number } {
  let sum: { gradients: tf.Tensor[]; loss: number } | null = null;
  microBatches.forEach((microBatch, offset) => {
    sum = addWeightedGradient(sum, weightedGradient(variables, microBatch, lossFn, weights[offset]!, offset));
  });
  return sum ?? { gradients: variables.map((variable) => tf.zerosLike(variable)), loss: 0 };
}

/**
 * What a loss module's export returns for one micro-batch: the loss, or the loss and a report
 * (plain, structured-clonable data such as diagnostics read with `dataSync()`), which
 * `trainStepInWorkers` returns per micro-batch from whichever thread computed it.
 */
export type ModuleLossResult = tf.Scalar | { readonly loss: tf.Scalar; readonly report?: unknown };

/** A loss exported by a module, for {@link PolicyOptimizer.trainStepInWorkers}. */
export type ModuleLoss<T> = (model: TransformerModel, microBatch: T, index: number) => ModuleLossResult;

/** Import a loss function by module URL and export name, naming what is missing. */
export async function importLoss<T>(lossModule: string, exportName: string): Promise<ModuleLoss<T>> {
  const module = (await import(lossModule)) as Record<string, unknown>;
  const loss = module[exportName];
  if (typeof loss !== "function") {
    throw new PolicyTfjsError(`export "${exportName}" is not a function`, `lossModule ${lossModule}`);
  }
  return loss as ModuleLoss<T>;
}

/**
 * A module loss as a micro-batch loss for {@link weightedGradient}: the report of micro-batch
 * `index` goes into `reports[index]` (undefined when the module returns a bare scalar).
 */
export function reportingLoss<T>(
  model: TransformerModel,
  moduleLoss: ModuleLoss<T>,
  reports: unknown[],
): MicroBatchLoss<T> {
  return (microBatch, index) => {
    const result = moduleLoss(model, microBatch, index);
    if (result instanceof tf.Tensor) {
      reports[index] = undefined;
      return result;
    }
    reports[index] = result.report;
    return result.loss;
  };
}
