/**
 * Worker-thread entry: keeps a copy of the model and runs the jobs it is sent (decoding rows,
 * or the gradients of a loss over micro-batches) with the same code as the main thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { type BackendChoice, selectBackend } from "../backend/select-backend.js";
import type { ResolvedTransformerConfig } from "../model/transformer-config.js";
import { type NamedWeight, TransformerModel } from "../model/transformer-model.js";
import { type DecodedRow, decodeRows } from "../sampling/batch-decoder.js";
import type { DrawSettings } from "../sampling/draw-token.js";
import { importLoss, reportingLoss, weightedGradient } from "../training/accumulate-gradients.js";
import { batchLogProbs } from "../training/batch-log-probs.js";
import type { TokenRow } from "../training/response-log-probs.js";

/** Rows to decode, as plain data. */
export interface DecodeTask {
  readonly kind: "decode";
  readonly rows: readonly {
    readonly prefix: Int32Array;
    readonly settings: DrawSettings;
    readonly limit: number;
    readonly seed: number;
    readonly drawOffset: number;
    readonly stopTokens: readonly number[];
  }[];
  readonly eosToken: number;
  readonly useCache: boolean;
  readonly maxBatchSize: number;
}

/** Micro-batches whose weighted loss gradients this worker sums. */
export interface GradientTask {
  readonly kind: "gradients";
  readonly lossModule: string;
  readonly exportName: string;
  readonly microBatches: readonly unknown[];
  readonly weights: readonly number[];
  /** Each micro-batch's position in the whole step (what the loss receives as `index`). */
  readonly indices: readonly number[];
}

/** Batches of rows whose response log-probs (no gradient) this worker computes. */
export interface LogProbsTask {
  readonly kind: "logprobs";
  readonly batches: readonly LogProbsBatch[];
}

/** Rows to score under `temperature`, padded to `columns` response columns (see `responseLogProbs`). */
export interface LogProbsBatch {
  readonly rows: readonly TokenRow[];
  readonly temperature: number;
  readonly columns: number;
}

export interface WorkerJob {
  readonly id: number;
  /** Which of the pool's models the job runs on; the worker keeps a copy of each. */
  readonly modelKey: number;
  readonly config: ResolvedTransformerConfig;
  /** Sent only when the weights changed since this worker last saw them. */
  readonly weights: readonly NamedWeight[] | null;
  readonly task: DecodeTask | GradientTask | LogProbsTask;
}

/** One micro-batch's gradients times its weight, its weighted loss and the loss module's report. */
export interface MicroBatchGradient {
  readonly weightedLoss: number;
  readonly gradients: Float32Array[];
  readonly report: unknown;
}

export type WorkerResult =
  | { readonly decoded: DecodedRow[] }
  | { readonly microBatches: MicroBatchGradient[] }
  | { readonly logprobs: Float32Array[] };

export type WorkerReply = ({ readonly id: number } & WorkerResult) | { readonly id: number; readonly error: string };

async function run(model: TransformerModel, task: WorkerJob["task"]): Promise<WorkerResult> {
  if (task.kind === "logprobs") return { logprobs: task.batches.map((batch) => batchLogProbs(model, batch)) };
  if (task.kind === "decode") {
    const rows = task.rows.map((row) => ({ ...row, stopTokens: new Set(row.stopTokens) }));
    return { decoded: await decodeRows(model, rows, task) };
  }
  const moduleLoss = await importLoss<unknown>(task.lossModule, task.exportName);
  const reports: unknown[] = [];
  const lossFn = reportingLoss(model, moduleLoss, reports);
  // Each micro-batch separately: the main thread adds them in order, exactly as one thread would.
  const microBatches = task.microBatches.map((microBatch, offset) => {
    const index = task.indices[offset]!;
    const { gradients, weightedLoss } = weightedGradient(
      model.variables(),
      microBatch,
      lossFn,
      task.weights[offset]!,
      index,
    );
    // Copies, so transferring them cannot detach memory a tensor still uses.
    const arrays = gradients.map((gradient) => Float32Array.from(gradient.dataSync() as Float32Array));
    tf.dispose(gradients);
    return { weightedLoss, gradients: arrays, report: reports[index] };
  });
  return { microBatches };
}

const port = parentPort;
if (port !== null) {
  const ready = selectBackend({ backend: (workerData as { backend: BackendChoice }).backend, log: () => {} });
  const models = new Map<number, TransformerModel>();
  port.on("message", async (job: WorkerJob) => {
    try {
      await ready;
      let model = models.get(job.modelKey);
      if (job.weights !== null) {
        if (model === undefined || JSON.stringify(model.config) !== JSON.stringify(job.config)) {
          model?.dispose();
          model = TransformerModel.create(job.config, { seed: 0 });
          models.set(job.modelKey, model);
        }
        model.loadWeights(job.weights);
      }
      if (model === undefined) throw new Error("the worker received a job before any weights");
      const result = await run(model, job.task);
      const transfer =
        "microBatches" in result
          ? result.microBatches.flatMap((microBatch) =>
              microBatch.gradients.map((array) => array.buffer as ArrayBuffer),
            )
          : "logprobs" in result
            ? result.logprobs.map((array) => array.buffer as ArrayBuffer)
            : [];
      port.postMessage({ id: job.id, ...result } satisfies WorkerReply, transfer);
    } catch (error) {
      port.postMessage({ id: job.id, error: (error as Error).stack ?? String(error) } satisfies WorkerReply);
    }
  });
}
