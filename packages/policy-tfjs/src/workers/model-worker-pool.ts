import { Worker } from "node:worker_threads";
import { PolicyTfjsError } from "../errors.js";
import type { TransformerModel } from "../model/transformer-model.js";
import type { DecodedRow, DecodeRow } from "../sampling/batch-decoder.js";
import { siblingModule, typeScriptWorkerBootstrap } from "../util/sibling-module.js";
import type {
  GradientTask,
  LogProbsBatch,
  MicroBatchGradient,
  WorkerJob,
  WorkerReply,
  WorkerResult,
} from "./model-worker.js";

interface PoolWorker {
  readonly worker: Worker;
  /** The weights version of each model (by key) this worker holds, so unchanged weights are not resent. */
  readonly versions: Map<number, number>;
  pending: number;
  /** Why the worker stopped, once it has; later jobs fail at once instead of waiting forever. */
  stopped: Error | null;
}

interface Waiter {
  resolve: (result: WorkerResult) => void;
  reject: (error: Error) => void;
}

/**
 * Worker threads, each with its own tfjs backend and a copy of a model, that decode rows or
 * compute gradients next to the main thread. The wasm backend is single-threaded in Node, so this
 * is how one call uses a second core. Workers are unreferenced while idle, so they never keep
 * the process alive. Usually created for you (`TfjsPolicy`'s `workers`, `trainStepInWorkers`);
 * create one yourself to share it between sampling and training.
 *
 * @example
 * const pool = new ModelWorkerPool(1, "wasm");
 * const policy = TfjsPolicy.fromTokenizer(model, tokenizer, { workerPool: pool });
 * await optimizer.trainStepInWorkers(microBatches, SFT_LOSS_MODULE, { workerPool: pool });
 * await pool.terminate();
 */
export class ModelWorkerPool {
  private readonly workers: PoolWorker[];
  private readonly waiting = new Map<number, Waiter>();
  private nextJob = 0;
  private readonly modelKeys = new WeakMap<TransformerModel, number>();
  private nextModelKey = 0;

  constructor(count: number, backend: "wasm" | "cpu") {
    const entry = workerEntry();
    this.workers = Array.from({ length: count }, () => {
      const worker = new Worker(entry.script, { workerData: { backend }, eval: entry.eval });
      worker.unref();
      const slot: PoolWorker = { worker, versions: new Map(), pending: 0, stopped: null };
      worker.on("message", (reply: WorkerReply) => this.settle(reply));
      worker.on("error", (error) => {
        slot.stopped = error;
        this.failAll(error);
      });
      worker.on("exit", (code) => {
        slot.stopped ??= new PolicyTfjsError(`a model worker exited with code ${code}`);
        this.failAll(slot.stopped);
      });
      return slot;
    });
  }

  get size(): number {
    return this.workers.length;
  }

  /** Decode `rows` on worker `index` with the model's current weights. */
  async decode(
    index: number,
    model: TransformerModel,
    rows: readonly DecodeRow[],
    options: { readonly eosToken: number; readonly useCache: boolean; readonly maxBatchSize: number },
  ): Promise<DecodedRow[]> {
    const task = {
      kind: "decode" as const,
      rows: rows.map((row) => ({ ...row, stopTokens: [...row.stopTokens] })),
      ...options,
    };
    const result = await this.submit(index, model, task);
    return (result as { decoded: DecodedRow[] }).decoded;
  }

  /** Each micro-batch's weighted gradients, weighted loss and report, on worker `index`. */
  async gradients(
    index: number,
    model: TransformerModel,
    task: Omit<GradientTask, "kind">,
  ): Promise<MicroBatchGradient[]> {
    const result = await this.submit(index, model, { kind: "gradients", ...task });
    return (result as { microBatches: MicroBatchGradient[] }).microBatches;
  }

  /**
   * Each batch's response log-probs (no gradient) under `model` on worker `index`, as plain
   * `[rows, columns]` arrays. A worker keeps a copy of every model it was sent (for example the
   * policy and a frozen reference), each resent only when its weights change.
   */
  async logProbs(index: number, model: TransformerModel, batches: readonly LogProbsBatch[]): Promise<Float32Array[]> {
    const result = await this.submit(index, model, { kind: "logprobs", batches });
    return (result as { logprobs: Float32Array[] }).logprobs;
  }

  /** Stop every worker. */
  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((slot) => slot.worker.terminate()));
    this.failAll(new PolicyTfjsError("the model worker pool was terminated"));
  }

  private submit(index: number, model: TransformerModel, task: WorkerJob["task"]): Promise<WorkerResult> {
    const slot = this.workers[index]!;
    if (slot.stopped !== null) return Promise.reject(slot.stopped);
    let modelKey = this.modelKeys.get(model);
    if (modelKey === undefined) {
      modelKey = this.nextModelKey++;
      this.modelKeys.set(model, modelKey);
    }
    const stale = slot.versions.get(modelKey) !== model.weightsVersion;
    const job: WorkerJob = {
      id: this.nextJob++,
      modelKey,
      config: model.config,
      weights: stale ? model.exportWeights() : null,
      task,
    };
    slot.versions.set(modelKey, model.weightsVersion);
    return new Promise<WorkerResult>((resolve, reject) => {
      slot.pending++;
      slot.worker.ref();
      const release = () => {
        if (--slot.pending === 0) slot.worker.unref();
      };
      this.waiting.set(job.id, {
        resolve: (result) => {
          release();
          resolve(result);
        },
        reject: (error) => {
          release();
          // The worker's copy may be half-updated; resend the weights next time.
          slot.versions.delete(modelKey);
          reject(error);
        },
      });
      slot.worker.postMessage(job);
    });
  }

  private settle(reply: WorkerReply): void {
    const waiter = this.waiting.get(reply.id);
    if (waiter === undefined) return;
    this.waiting.delete(reply.id);
    if ("error" in reply) waiter.reject(new PolicyTfjsError(`a model worker failed: ${reply.error}`));
    else waiter.resolve(reply);
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}

/** The worker script next to this module, or its TypeScript source through tsx. */
function workerEntry(): { script: string; eval: boolean } {
  // In the bundle this module sits in dist/ (index or a chunk); in the sources, in src/workers/.
  const entry = siblingModule(import.meta.url, "model-worker");
  return entry.typeScript
    ? { script: typeScriptWorkerBootstrap(import.meta.url, entry.path), eval: true }
    : { script: entry.path, eval: false };
}
