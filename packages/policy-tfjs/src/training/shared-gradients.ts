import * as tf from "@tensorflow/tfjs";
import type { TransformerModel } from "../model/transformer-model.js";
import type { ModelWorkerPool } from "../workers/model-worker-pool.js";
import { accumulateGradients, importLoss, type MicroBatchLoss } from "./accumulate-gradients.js";

/**
 * The weighted gradient and loss sums of all micro-batches, computed in consecutive shares by
 * this thread and each worker of `pool`, then added up here. The loss is the module export every
 * thread imports. The caller disposes the gradients.
 */
export async function sharedGradients<T>(
  model: TransformerModel,
  pool: ModelWorkerPool,
  microBatches: readonly T[],
  loss: { readonly lossModule: string; readonly exportName: string; readonly weights: readonly number[] },
): Promise<{ gradients: tf.Tensor[]; loss: number }> {
  const moduleLoss = await importLoss<T>(loss.lossModule, loss.exportName);
  const lossFn: MicroBatchLoss<T> = (microBatch, index) => moduleLoss(model, microBatch, index);
  const threads = Math.min(pool.size + 1, microBatches.length);
  const share = Math.ceil(microBatches.length / threads);
  const remote = Array.from({ length: threads - 1 }, (_, worker) => {
    const first = (worker + 1) * share;
    return pool.gradients(worker, model, {
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
  const local = accumulateGradients(
    model.variables(),
    microBatches.slice(0, share),
    lossFn,
    loss.weights.slice(0, share),
  );
  const replies = await remoteReplies.catch((error: unknown) => {
    tf.dispose(local.gradients);
    throw error;
  });
  const gradients = tf.tidy(() =>
    local.gradients.map((gradient, index) =>
      replies.reduce<tf.Tensor>(
        (sum, reply) => tf.add(sum, tf.tensor(reply.gradients[index]!, gradient.shape, "float32")),
        gradient,
      ),
    ),
  );
  tf.dispose(local.gradients);
  return { gradients, loss: replies.reduce((sum, reply) => sum + reply.loss, local.loss) };
}
