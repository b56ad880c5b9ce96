import * as tf from "@tensorflow/tfjs";
import { PolicyTfjsError } from "../errors.js";
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
  firstIndex = 0,
): { gradients: tf.Tensor[]; loss: number } {
  let accumulated: tf.Tensor[] | null = null;
  let loss = 0;
  microBatches.forEach((microBatch, offset) => {
    const weight = weights[offset]!;
    const { value, grads } = tf.variableGrads(() => lossFn(microBatch, firstIndex + offset), [...variables]);
    loss += weight * value.dataSync()[0]!;
    const previous: tf.Tensor[] | null = accumulated;
    accumulated = tf.tidy(() =>
      variables.map((variable, position) => {
        const gradient = grads[variable.name];
        const scaled = gradient === undefined ? tf.zerosLike(variable) : tf.mul(gradient, weight);
        return previous === null ? scaled : tf.add(previous[position]!, scaled);
      }),
    );
    tf.dispose([value, grads, previous ?? []]);
  });
  return { gradients: accumulated ?? variables.map((variable) => tf.zerosLike(variable)), loss };
}

/** A loss exported by a module, for {@link PolicyOptimizer.trainStepInWorkers}. */
export type ModuleLoss<T> = (model: TransformerModel, microBatch: T, index: number) => tf.Scalar;

/** Import a loss function by module URL and export name, naming what is missing. */
export async function importLoss<T>(lossModule: string, exportName: string): Promise<ModuleLoss<T>> {
  const module = (await import(lossModule)) as Record<string, unknown>;
  const loss = module[exportName];
  if (typeof loss !== "function") {
    throw new PolicyTfjsError(`export "${exportName}" is not a function`, `lossModule ${lossModule}`);
  }
  return loss as ModuleLoss<T>;
}
