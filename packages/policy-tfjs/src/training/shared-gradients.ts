import * as tf from "@tensorflow/tfjs";
import type { TransformerModel } from "../model/transformer-model.js";
import type { ModelWorkerPool } from "../workers/model-worker-pool.js";
import { accumulateGradients, addWeightedGradient, importLoss, reportingLoss } from "./accumulate-gradients.js";

/**
 * The weighted gradient and loss sums of all micro-batches, computed in consecutive shares by
 * this thread (the first share) and each worker of `pool` (none: all here), with each micro-batch's report. The
 * workers send each micro-batch's weighted gradient, which are added here in micro-batch order,
 * the order {@link accumulateGradients} adds them in: the sums are the same numbers one thread
 * computes. The loss is the module export every thread imports. The caller disposes the gradients.
 */
export async function sharedGradients<T>(
  model: TransformerModel,
  pool: ModelWorkerPool | null,
  microBatches: readonly T[],
  loss: { readonly lossModule: string; readonly exportName: string; readonly weights: readonly number[] },
): Promise<{ gradients: tf.Tensor[]; loss: number; reports: unknown[] }> {
  const moduleLoss = await importLoss<T>(loss.lossModule, loss.exportName);
  const threads = Math.min((pool?.size ?? 0) + 1, microBatches.length);
  const share = Math.ceil(microBatches.length / threads);
  const remote = Array.from({ length: threads - 1 }, (_, worker) => {
    const first = (worker + 1) * share;
    return pool!.gradients(worker, model, {
      lossModule: loss.lossModule,
      exportName: loss.exportName,
      microBatches: microBatches.slice(first, first + share),
      weights: loss.weights.slice(first, first + share),
      firstIndex: first,
    });
  });
  // Handled now, so a worker failure is not an unhandled rejection if this thread's share throws.
  const remoteReplies = Promise.all(remote);
  remoteReplies.catch(() => {});
  // This thread's share runs while the workers compute theirs.
  const reports: unknown[] = [];
  const local = accumulateGradients(
    model.variables(),
    microBatches.slice(0, share),
    reportingLoss(model, moduleLoss, reports, 0),
    loss.weights.slice(0, share),
  );
  const replies = await remoteReplies.catch((error: unknown) => {
    tf.dispose(local.gradients);
    throw error;
  });
  let sum = local;
  for (const microBatch of replies.flat()) {
    const gradients = microBatch.gradients.map((values, index) =>
      tf.tensor(values, sum.gradients[index]!.shape, "float32"),
    );
    sum = addWeightedGradient(sum, { gradients, weightedLoss: microBatch.weightedLoss });
    reports.push(microBatch.report);
  }
  return { ...sum, reports };
}
