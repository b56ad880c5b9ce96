import { Mulberry32, scrambleSeed } from "@ibtpo/random";
import type {
  GenerateOptions,
  Generation,
  GenerationRequest,
  Policy,
  PrefixCache,
  RequestFeed,
} from "@ibtpo/tree-sampler";
import * as tf from "@tensorflow/tfjs";
import { PolicyTfjsError } from "../errors.js";
import type { TransformerModel } from "../model/transformer-model.js";
import type { SymbolTokenizer } from "../tokenizer/symbol-tokenizer.js";
import { ModelWorkerPool } from "../workers/model-worker-pool.js";
import { type DecodeRow, decodeRows } from "./batch-decoder.js";
import { decodeContinuously } from "./continuous-decoder.js";
import { DEFAULT_PREFIX_CACHE_BYTES, KeyValuePrefixCache } from "./key-value-prefix-cache.js";

/** Below this many rows per thread, messaging costs more than a second core saves. */
const MIN_ROWS_PER_THREAD = 8;

/**
 * Rows decoded together by default: on the shipped line-walk model 64 rows decode at about nine
 * tenths of the tokens per second of 256 (`bench/decode-rows.ts`), with a quarter of the cache.
 */
const DEFAULT_MAX_BATCH_SIZE = 64;

export interface TfjsPolicyOptions {
  /** The token that ends a response (the tokenizer's EOS). */
  readonly eosToken: number;
  /** The step delimiter token, if any (the tokenizer's "\n"). */
  readonly stepDelimiter?: number;
  /** Name for logs; default "tfjs-transformer". */
  readonly name?: string;
  /** Rows decoded together; larger batches are split. Default {@link DEFAULT_MAX_BATCH_SIZE}. */
  readonly maxBatchSize?: number;
  /** Seeds requests that carry none, in request order; default 0. */
  readonly seed?: number;
  /** Reuse keys and values across steps (default true); false re-runs the whole sequence each step. */
  readonly kvCache?: boolean;
  /**
   * Worker threads that decode shards of large calls next to the main thread (wasm and cpu
   * backends only; libtensorflow already uses every core), except calls with a prefix cache.
   * Default 0. Results are the same as without workers. Call `dispose()` to stop them.
   */
  readonly workers?: number;
  /**
   * Use these worker threads instead of starting `workers` new ones, for example the pool an
   * optimizer trains with, so one copy of the model per thread serves both. Not stopped by `dispose()`.
   */
  readonly workerPool?: ModelWorkerPool;
  /**
   * Bytes of keys and values a prefix cache from {@link TfjsPolicy.openPrefixCache} keeps before
   * it forgets the sequences used longest ago. Default 128 MiB.
   */
  readonly prefixCacheBytes?: number;
}

/**
 * tree-sampler's `Policy` over a {@link TransformerModel}: batched KV-cache decoding with
 * temperature (0 = greedy), top-k, top-p, stop tokens and max tokens, returning each token's
 * log-prob and the full-distribution entropy. Rows of any prefix length share a batch (left
 * padding with per-row positions). A request's output depends only on its prefix, settings and
 * seed, not on its batch mates. Greedy rows report log-probs and entropies at temperature 1.
 *
 * @example
 * const policy = TfjsPolicy.fromTokenizer(model, tokenizer);
 * const [generation] = await policy.generate([
 *   { prefix: tokenizer.encode("3+4=", { bos: true }), settings: { maxTokens: 8, temperature: 0 } },
 * ]);
 * tokenizer.decode(generation.tokens);
 */
export class TfjsPolicy implements Policy {
  readonly name: string;
  readonly eosToken: number;
  readonly stepDelimiter: number | undefined;
  readonly providesEntropies = true;
  /** Each generated token takes one draw of its request's seeded stream, so `drawOffset` is honoured. */
  readonly resumesDraws = true;
  private readonly defaultSeeds: Mulberry32;
  private pool: ModelWorkerPool | null = null;

  constructor(
    readonly model: TransformerModel,
    readonly options: TfjsPolicyOptions,
  ) {
    this.name = options.name ?? "tfjs-transformer";
    this.eosToken = options.eosToken;
    this.stepDelimiter = options.stepDelimiter;
    this.defaultSeeds = new Mulberry32(scrambleSeed(options.seed ?? 0));
  }

  /** A policy whose end token and step delimiter come from the tokenizer. */
  static fromTokenizer(
    model: TransformerModel,
    tokenizer: SymbolTokenizer,
    options: Omit<TfjsPolicyOptions, "eosToken" | "stepDelimiter"> = {},
  ): TfjsPolicy {
    return new TfjsPolicy(model, { ...options, eosToken: tokenizer.eosId, stepDelimiter: tokenizer.stepDelimiterId });
  }

  /**
   * A prefix cache for a series of `generate` calls (tree-sampler's `sampleBatch` opens one per
   * batch): a request whose prefix continues a sequence decoded in its scope starts from that
   * sequence's keys and values instead of a prefill. The reused keys and values were computed by
   * cached decode steps rather than by a prefill, so log-probs can differ from an uncached call in
   * the last float digits (as between `kvCache: true` and `false`); a call's result stays a function
   * of its requests and of the earlier calls in the scope. A call with the cache is decoded on
   * this thread alone, not in worker threads. Dispose it when the scope ends; it empties itself
   * when the weights change.
   *
   * @example
   * const cache = policy.openPrefixCache();
   * const [first] = await policy.generate([request], { prefixCache: cache });
   * // continues the first generation without encoding its prefix again
   * await policy.generate([{ prefix: [...request.prefix, ...first.tokens], settings }], { prefixCache: cache });
   * cache.dispose();
   */
  openPrefixCache(): KeyValuePrefixCache {
    const bytes = this.options.prefixCacheBytes ?? DEFAULT_PREFIX_CACHE_BYTES;
    if (!(bytes >= 0)) throw new PolicyTfjsError(`must be a number >= 0, got ${bytes}`, "prefixCacheBytes");
    return new KeyValuePrefixCache(this.model, bytes);
  }

  async generate(requests: readonly GenerationRequest[], options: GenerateOptions = {}): Promise<Generation[]> {
    const rows = requests.map((request, index) => this.toRow(request, index));
    const prefixCache = this.checkPrefixCache(options.prefixCache);
    const decodeOptions = {
      eosToken: this.eosToken,
      useCache: this.options.kvCache ?? true,
      maxBatchSize: this.options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
    };
    // A call with a prefix cache stays on this thread: a worker holds no cached keys and values, so
    // it would prefill every prefix again, which costs more than it shares and changes log-probs
    // in the last float digits.
    const pool = prefixCache === undefined ? this.workerPool() : null;
    const threads =
      pool === null ? 1 : Math.max(1, Math.min(pool.size + 1, Math.floor(rows.length / MIN_ROWS_PER_THREAD)));
    const shardSize = Math.ceil(rows.length / threads);
    const shards = Array.from({ length: threads }, (_, shard) =>
      rows.slice(shard * shardSize, (shard + 1) * shardSize),
    );
    // Post the workers' shards before this thread starts its own, which runs until its first await.
    const remote = shards.slice(1).map((shard, index) => pool!.decode(index, this.model, shard, decodeOptions));
    const remoteResults = Promise.all(remote);
    remoteResults.catch(() => {});
    const local = await decodeRows(this.model, shards[0]!, { ...decodeOptions, signal: options.signal, prefixCache });
    const results = [local, ...(await remoteResults)];
    options.signal?.throwIfAborted();
    return results.flat();
  }

  /**
   * Continuous batching (tree-sampler's `continuousBatching`): one running batch on this thread
   * takes the feed's requests whenever earlier ones finish, with a cached decode step per token
   * and the prefix cache for joining requests, so no request waits for its batch mates or is cut
   * into chunks. A request's tokens are those `generate` draws for it. Without the KV cache
   * (`kvCache: false`) each answer of the feed is one `generate` call.
   *
   * @example
   * const cache = policy.openPrefixCache();
   * await policy.decodeContinuously((finished) => (finished.length === 0 ? requests : []), { prefixCache: cache });
   */
  async decodeContinuously(feed: RequestFeed, options: GenerateOptions = {}): Promise<void> {
    const prefixCache = this.checkPrefixCache(options.prefixCache);
    let numbered = 0;
    const toRows = (requests: readonly GenerationRequest[]) =>
      requests.map((request) => this.toRow(request, numbered++));
    if (!(this.options.kvCache ?? true)) {
      let requests = await feed([]);
      while (requests.length > 0) {
        const first = numbered;
        const generations = await this.generate(requests, options);
        numbered += requests.length;
        requests = await feed(generations.map((generation, index) => ({ request: first + index, generation })));
      }
      return;
    }
    await decodeContinuously(
      this.model,
      async (finished) =>
        toRows(await feed(finished.map(({ number, decoded }) => ({ request: number, generation: decoded })))),
      {
        eosToken: this.eosToken,
        useCache: true,
        maxBatchSize: this.options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
        signal: options.signal,
        prefixCache,
      },
    );
  }

  /** Stop the worker threads, if any; the policy can still decode on the main thread. */
  async dispose(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.terminate();
  }

  private checkPrefixCache(prefixCache: PrefixCache | undefined): KeyValuePrefixCache | undefined {
    if (prefixCache === undefined) return undefined;
    if (!(prefixCache instanceof KeyValuePrefixCache)) {
      throw new PolicyTfjsError("expected a cache from this policy's openPrefixCache()", "options.prefixCache");
    }
    prefixCache.checkUsableFor(this.model, "options.prefixCache");
    return prefixCache;
  }

  private workerPool(): ModelWorkerPool | null {
    if (this.options.workerPool !== undefined) return this.options.workerPool;
    const count = this.options.workers ?? 0;
    const backend = tf.getBackend();
    if (count < 1 || (backend !== "wasm" && backend !== "cpu")) return null;
    this.pool ??= new ModelWorkerPool(count, backend);
    return this.pool;
  }

  private toRow(request: GenerationRequest, index: number): DecodeRow {
    const where = `requests[${index}]`;
    const { vocabSize, contextLength } = this.model.config;
    const prefix = Int32Array.from(request.prefix);
    if (prefix.length === 0) throw new PolicyTfjsError("the prefix is empty (start it with BOS)", `${where}.prefix`);
    prefix.forEach((id, position) => {
      if (id < 0 || id >= vocabSize || id !== request.prefix[position]) {
        throw new PolicyTfjsError(
          `token ${request.prefix[position]} is outside the vocabulary of ${vocabSize}`,
          `${where}.prefix[${position}]`,
        );
      }
    });
    if (prefix.length >= contextLength) {
      throw new PolicyTfjsError(
        `${prefix.length} tokens leave no room in the context of ${contextLength}`,
        `${where}.prefix`,
      );
    }
    const settings = request.settings;
    const temperature = settings.temperature ?? 1;
    const topK = settings.topK ?? 0;
    const topP = settings.topP ?? 1;
    if (!Number.isInteger(settings.maxTokens) || settings.maxTokens < 1) {
      throw new PolicyTfjsError(`must be an integer >= 1, got ${settings.maxTokens}`, `${where}.settings.maxTokens`);
    }
    if (!(temperature >= 0) || !Number.isFinite(temperature)) {
      throw new PolicyTfjsError(`must be >= 0, got ${temperature}`, `${where}.settings.temperature`);
    }
    if (!Number.isInteger(topK) || topK < 0)
      throw new PolicyTfjsError(`must be an integer >= 0, got ${topK}`, `${where}.settings.topK`);
    if (!(topP > 0 && topP <= 1)) throw new PolicyTfjsError(`must be in (0, 1], got ${topP}`, `${where}.settings.topP`);
    const drawOffset = settings.drawOffset ?? 0;
    if (!Number.isSafeInteger(drawOffset) || drawOffset < 0) {
      throw new PolicyTfjsError(`must be an integer >= 0, got ${drawOffset}`, `${where}.settings.drawOffset`);
    }
    // Requests without a seed still draw reproducibly: from the policy seed, in call order.
    const seed = settings.seed ?? this.defaultSeeds.nextUint32();
    return {
      prefix,
      settings: { temperature, topK, topP },
      limit: Math.min(settings.maxTokens, contextLength - prefix.length),
      seed,
      drawOffset,
      stopTokens: new Set(settings.stopTokens ?? []),
    };
  }
}
