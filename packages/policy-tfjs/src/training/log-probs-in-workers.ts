import type { TransformerModel } from "../model/transformer-model.js";
import type { LogProbsBatch } from "../workers/model-worker.js";
import type { ModelWorkerPool } from "../workers/model-worker-pool.js";
import { batchLogProbs } from "./batch-log-probs.js";
import { threadShares } from "./micro-batch-assignment.js";

/**
 * Each batch's response log-probs (no gradient) as a plain `[rows, columns]` row-major array,
 * the batches shared between this thread and the workers of `workerPool` (null: all here) as
 * `trainStepInWorkers` shares micro-batches (the largest by `costs`, default equal, to the
 * workers first). Every thread runs the same forward, so the numbers do not depend on the split.
 * For a frozen reference policy's log-probs of a KL term: the workers keep their copy of it.
 *
 * @example
 * const [logprobs] = await logProbsInWorkers(reference, [{ rows, temperature: 1, columns: 8 }], { workerPool });
 */
export async function logProbsInWorkers(
  model: TransformerModel,
  batches: readonly LogProbsBatch[],
  options: { readonly workerPool: ModelWorkerPool | null; readonly costs?: readonly number[] },
): Promise<Float32Array[]> {
  const pool = options.workerPool;
  const threads = Math.min((pool?.size ?? 0) + 1, batches.length);
  const shares = threadShares(options.costs ?? batches.map(() => 1), threads);
  const remote = Array.from({ length: threads - 1 }, (_, worker) =>
    pool!.logProbs(
      worker,
      model,
      shares[worker + 1]!.map((index) => batches[index]!),
    ),
  );
  // Handled now, so a worker failure is not an unhandled rejection if this thread's share throws.
  const remoteReplies = Promise.all(remote);
  remoteReplies.catch(() => {});
  const logprobs: Float32Array[] = new Array(batches.length);
  for (const index of shares[0]!) logprobs[index] = batchLogProbs(model, batches[index]!);
  (await remoteReplies).forEach((reply, worker) => {
    shares[worker + 1]!.forEach((index, position) => {
      logprobs[index] = reply[position]!;
    });
  });
  return logprobs;
}
