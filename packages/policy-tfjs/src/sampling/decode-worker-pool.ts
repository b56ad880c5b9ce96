import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { PolicyTfjsError } from "../errors.js";
import type { TransformerModel } from "../model/transformer-model.js";
import type { DecodedRow, DecodeRow } from "./batch-decoder.js";
import type { DecodeJob, DecodeReply } from "./decode-worker.js";

interface PoolWorker {
  readonly worker: Worker;
  /** The model and weights version this worker holds, so unchanged weights are not resent. */
  model: TransformerModel | null;
  version: number;
  pending: number;
  /** Why the worker stopped, once it has; later jobs fail at once instead of waiting forever. */
  stopped: Error | null;
}

/**
 * Worker threads that decode shards of a batch while the main thread decodes its own shard. The
 * wasm backend is single-threaded in Node, so this is how a sampling call uses a second core.
 * Workers are unreferenced while idle, so they never keep the process alive.
 */
export class DecodeWorkerPool {
  private readonly workers: PoolWorker[];
  private readonly waiting = new Map<
    number,
    { resolve: (rows: DecodedRow[]) => void; reject: (error: Error) => void }
  >();
  private nextJob = 0;

  constructor(count: number, backend: "wasm" | "cpu") {
    const entry = workerEntry();
    this.workers = Array.from({ length: count }, () => {
      const worker = new Worker(entry.script, { workerData: { backend }, eval: entry.eval });
      worker.unref();
      const slot: PoolWorker = { worker, model: null, version: -1, pending: 0, stopped: null };
      worker.on("message", (reply: DecodeReply) => this.settle(reply));
      worker.on("error", (error) => {
        slot.stopped = error;
        this.failAll(error);
      });
      worker.on("exit", (code) => {
        slot.stopped ??= new PolicyTfjsError(`a decode worker exited with code ${code}`);
        this.failAll(slot.stopped);
      });
      return slot;
    });
  }

  get size(): number {
    return this.workers.length;
  }

  /** Decode `rows` on worker `index` with the model's current weights. */
  decode(
    index: number,
    model: TransformerModel,
    rows: readonly DecodeRow[],
    options: { readonly eosToken: number; readonly useCache: boolean; readonly maxBatchSize: number },
  ): Promise<DecodedRow[]> {
    const slot = this.workers[index]!;
    if (slot.stopped !== null) return Promise.reject(slot.stopped);
    const stale = slot.model !== model || slot.version !== model.weightsVersion;
    const job: DecodeJob = {
      id: this.nextJob++,
      config: model.config,
      weights: stale ? model.exportWeights() : null,
      rows: rows.map((row) => ({ ...row, stopTokens: [...row.stopTokens] })),
      ...options,
    };
    slot.model = model;
    slot.version = model.weightsVersion;
    return new Promise<DecodedRow[]>((resolve, reject) => {
      slot.pending++;
      slot.worker.ref();
      const release = () => {
        if (--slot.pending === 0) slot.worker.unref();
      };
      this.waiting.set(job.id, {
        resolve: (decoded) => {
          release();
          resolve(decoded);
        },
        reject: (error) => {
          release();
          // The worker's copy may be half-updated; resend the weights next time.
          slot.model = null;
          reject(error);
        },
      });
      slot.worker.postMessage(job);
    });
  }

  /** Stop every worker. */
  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((slot) => slot.worker.terminate()));
    this.failAll(new Error("the decode worker pool was terminated"));
  }

  private settle(reply: DecodeReply): void {
    const waiter = this.waiting.get(reply.id);
    if (waiter === undefined) return;
    this.waiting.delete(reply.id);
    if ("error" in reply) waiter.reject(new PolicyTfjsError(`a decode worker failed: ${reply.error}`));
    else waiter.resolve(reply.decoded);
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}

/**
 * The worker script next to this module: built JS in `dist`, or, when running from the
 * TypeScript sources (tests, benchmarks), a bootstrap that registers tsx and imports the .ts file.
 */
function workerEntry(): { script: string; eval: boolean } {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith(".ts")) {
    return { script: join(dirname(here), `decode-worker${here.endsWith(".cjs") ? ".cjs" : ".js"}`), eval: false };
  }
  // require.resolve finds tsx's CommonJS build; its ES module build sits beside it.
  const tsxCommonJs = createRequire(import.meta.url).resolve("tsx/esm/api");
  const tsx = pathToFileURL(tsxCommonJs.replace(/\.cjs$/, ".mjs")).href;
  const source = pathToFileURL(join(dirname(here), "decode-worker.ts")).href;
  return {
    script: `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source)}); });`,
    eval: true,
  };
}
