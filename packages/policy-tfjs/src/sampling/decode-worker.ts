/**
 * Worker-thread entry: keeps a copy of the model and decodes the rows it is sent with the same
 * code as the main thread, so results do not depend on which thread decoded a row.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type BackendChoice, selectBackend } from "../backend/select-backend.js";
import type { ResolvedTransformerConfig } from "../model/transformer-config.js";
import { type NamedWeight, TransformerModel } from "../model/transformer-model.js";
import { type DecodedRow, decodeRows } from "./batch-decoder.js";
import type { DrawSettings } from "./draw-token.js";

/** A decode job as it crosses the thread boundary (plain, structured-cloneable data). */
export interface DecodeJob {
  readonly id: number;
  readonly config: ResolvedTransformerConfig;
  /** Sent only when the weights changed since this worker last saw them. */
  readonly weights: readonly NamedWeight[] | null;
  readonly rows: readonly {
    readonly prefix: Int32Array;
    readonly settings: DrawSettings;
    readonly limit: number;
    readonly seed: number;
    readonly stopTokens: readonly number[];
  }[];
  readonly eosToken: number;
  readonly useCache: boolean;
  readonly maxBatchSize: number;
}

export type DecodeReply =
  | { readonly id: number; readonly decoded: DecodedRow[] }
  | { readonly id: number; readonly error: string };

const port = parentPort;
if (port !== null) {
  const ready = selectBackend({ backend: (workerData as { backend: BackendChoice }).backend, log: () => {} });
  let model: TransformerModel | null = null;
  port.on("message", async (job: DecodeJob) => {
    try {
      await ready;
      if (job.weights !== null) {
        model?.dispose();
        model = TransformerModel.create(job.config, { seed: 0 });
        model.loadWeights(job.weights);
      }
      if (model === null) throw new Error("the worker received rows before any weights");
      const rows = job.rows.map((row) => ({ ...row, stopTokens: new Set(row.stopTokens) }));
      const decoded = await decodeRows(model, rows, job);
      port.postMessage({ id: job.id, decoded } satisfies DecodeReply);
    } catch (error) {
      port.postMessage({ id: job.id, error: (error as Error).stack ?? String(error) } satisfies DecodeReply);
    }
  });
}
