import * as tf from "@tensorflow/tfjs";
import type { TransformerModel } from "../model/transformer-model.js";
import type { ModelWorkerPool } from "../workers/model-worker-pool.js";
import {
  addWeightedGradient,
  importLoss,
  reportingLoss,
  type WeightedGradient,
  weightedGradient,
} from "./accumulate-gradients.js";
import { threadShares } from "./micro-batch-assignment.js";

/**
 * The weighted gradient and loss sums of all micro-batches, shared between this thread and each
 * worker of `pool` (none: all here) by {@link threadShares} over `costs` (default equal),
 * with each micro-batch's report. Each micro-batch's weighted gradient is computed apart and they
 * are added in micro-batch order, the order {@link accumulateGradients} adds them in: the sums are
 * the same numbers one thread computes, whichever thread computed each. The loss is the module
 * export every thread imports. The caller disposes the gradients.
 */
export async function sharedGradients<T>(
  model: TransformerModel,
  pool: ModelWorkerPool | null,
  microBatches: readonly T[],
  loss: {
    readonly lossModule: string;
    readonly exportName: string;
    readonly weights: readonly number[];
    readonly costs?: readonly number[];
  },
): Promise<{ gradients: tf.Tensor[]; loss: number; reports: unknown[] }> {
  const moduleLoss = await importLoss<T>(loss.lossModule, loss.exportName);
  const threads = Math.min((pool?.size ?? 0) + 1, microBatches.length);
  const shares = threadShares(loss.costs ?? microBatches.map(() => 1), threads);
  const remote = Array.from({ length: threads - 1 }, (_, worker) => {
    const indices = shares[worker + 1]!;
    return pool!.gradients(worker, model, {
      lossModule: loss.lossModule,
      exportName: loss.exportName,
      microBatches: indices.map((index) => microBatches[index]!),
      weights: indices.map((index) => loss.weights[index]!),
      indices,
    });
  });
  // Handled now, so a worker failure is not an unhandled rejection if this thread's share throws.
  const remoteReplies = Promise.all(remote);
  remoteReplies.catch(() => {});
  // This thread's share runs while the workers compute theirs.
  const reports: unknown[] = new Array(microBatches.length);
  const computed: (WeightedGradient | undefined)[] = new Array(microBatches.length);
  const total: { sum: { gradients: tf.Tensor[]; loss: number } | null; added: number } = { sum: null, added: 0 };
  // Adds the computed gradients that come next in micro-batch order, so only those waiting for an
  // earlier one are held (none without workers).
  const addReady = () => {
    for (; total.added < computed.length && computed[total.added] !== undefined; total.added++) {
      total.sum = addWeightedGradient(total.sum, computed[total.added]!);
      computed[total.added] = undefined;
    }
  };
  const lossFn = reportingLoss(model, moduleLoss, reports);
  try {
    for (const index of shares[0]!) {
      computed[index] = weightedGradient(model.variables(), microBatches[index]!, lossFn, loss.weights[index]!, index);
      addReady();
    }
    const replies = await remoteReplies;
    replies.forEach((reply, worker) => {
      shares[worker + 1]!.forEach((index, position) => {
        const microBatch = reply[position]!;
        computed[index] = {
          gradients: microBatch.gradients.map((values, variable) =>
            tf.tensor(values, model.variables()[variable]!.shape, "float32"),
          ),
          weightedLoss: microBatch.weightedLoss,
        };
        reports[index] = microBatch.report;
        addReady();
      });
    });
  } catch (error) {
    for (const gradient of computed) if (gradient !== undefined) tf.dispose(gradient.gradients);
    tf.dispose(total.sum?.gradients ?? []);
    throw error;
  }
  return { ...total.sum!, reports };
}
