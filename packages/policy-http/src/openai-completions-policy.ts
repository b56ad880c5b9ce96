import { deriveSeedMurmur3 } from "@ibtpo/random";
import type {
  FinishedRequest,
  Generation,
  GenerationRequest,
  Policy,
  RequestFeed,
  TextCodec,
} from "@ibtpo/tree-sampler";
import { Backoff } from "./backoff.js";
import { type EntropySource, generationFromCompletion } from "./completion-response.js";
import { completionsBody, type WireFormat } from "./completions-request.js";
import { ConcurrencyLimiter } from "./concurrency-limiter.js";
import { PolicyHttpError } from "./errors.js";
import { requestJson } from "./request-json.js";
import { type RetryOptions, withRetries } from "./retry.js";
import { type LogprobTemperature, SERVER_DIALECTS, type ServerDialect, type ServerKind } from "./server-dialect.js";
import type { TokenIdSource } from "./token-ids.js";

export interface OpenAICompletionsPolicyOptions {
  /** Server root, e.g. `http://127.0.0.1:8000` (a trailing `/v1` is accepted). */
  readonly baseUrl: string;
  /** The `model` field of every request (see `GET /v1/models`). */
  readonly model: string;
  /** The token that ends a response. */
  readonly eosToken: number;
  /**
   * The server's dialect (body fields, log-prob shape, neutral sampling, id stops); default
   * `"ibtpo"` (`ibtpo serve`: vLLM's fields, log-probs at the sampling temperature, exact
   * entropies). {@link connectCompletionsPolicy} detects it from `GET /v1/models`.
   */
  readonly serverKind?: ServerKind;
  /**
   * What the server's log-probs mean; default the dialect's (`"vllm"` and `"openai"`:
   * `"temperature-1"`, the others `"sampling-temperature"`). With `"temperature-1"`, sampling at a temperature other than 0 or 1 is
   * refused: the log-probs would not describe the distribution the tokens were drawn from.
   */
  readonly logprobTemperature?: LogprobTemperature;
  /** The step delimiter token ("\n"), used by samplers as the default segmenter. */
  readonly stepDelimiter?: number;
  /** Name for logs; default `openai-completions:<model>`. */
  readonly name?: string;
  /** Send prefixes as token ids (default) or as text through this codec. */
  readonly prompt?: "token-ids" | TextCodec;
  /** Send stop tokens as `stop_token_ids` (default) or as `stop` strings through this codec. */
  readonly stop?: "token-ids" | TextCodec;
  /** How sampled token ids are read back; default `"token-id-strings"`. */
  readonly tokenIds?: TokenIdSource;
  /** Where entropies come from; default `"none"`. */
  readonly entropy?: EntropySource;
  /**
   * The `logprobs` count sent (k of the top-k bound); default 0 (1 for servers that read 0 as
   * off), or 5 with `"top-k-lower-bound"`.
   */
  readonly topLogprobs?: number;
  /** Requests in flight at once; default 8. */
  readonly maxConcurrency?: number;
  /** Per-attempt timeout in ms; default 120000. */
  readonly timeoutMs?: number;
  /** Retries on 408/409/429/5xx, dropped connections and timeouts; default 4 attempts from 250 ms. */
  readonly retry?: RetryOptions;
  /** Seeds requests that carry none, and the retry jitter; default 0. */
  readonly seed?: number;
  /** Extra headers, e.g. `{ authorization: "Bearer ..." }`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Extra body fields for every request, sent last (they override the neutral sampling fields). */
  readonly extraBody?: Readonly<Record<string, unknown>>;
}

/** Strip trailing slashes and a trailing `/v1`, so both spellings of a base URL work. */
export function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
}

/**
 * tree-sampler's `Policy` over an OpenAI-compatible `/v1/completions` server (vLLM, SGLang,
 * llama.cpp's server, `ibtpo serve`). Each generation request is one HTTP request with n = 1 and
 * its own seed, at most `maxConcurrency` in flight; the server batches them. Prefixes go as token
 * ids, sampled ids come back as `"token_id:<id>"` strings (vLLM's `return_tokens_as_token_ids`) or
 * a `token_ids` array, log-probs from `logprobs.token_logprobs`. Failures are retried with seeded
 * exponential backoff; the first one that is final aborts the rest of the call and is thrown as a
 * {@link PolicyHttpError}.
 *
 * @example
 * const policy = new OpenAICompletionsPolicy({ baseUrl: "http://127.0.0.1:8000", model: "countdown", eosToken: 2 });
 * const [generation] = await policy.generate([{ prefix: [1, 5, 9], settings: { maxTokens: 16, seed: 3 } }]);
 */
export class OpenAICompletionsPolicy implements Policy {
  readonly name: string;
  readonly eosToken: number;
  readonly stepDelimiter: number | undefined;
  readonly providesEntropies: boolean;
  readonly dialect: ServerDialect;
  readonly logprobTemperature: LogprobTemperature;
  private readonly url: string;
  private readonly limiter: ConcurrencyLimiter;
  private readonly wire: WireFormat;
  private readonly entropy: EntropySource;
  private calls = 0;

  constructor(readonly options: OpenAICompletionsPolicyOptions) {
    this.name = options.name ?? `openai-completions:${options.model}`;
    this.eosToken = options.eosToken;
    this.stepDelimiter = options.stepDelimiter;
    this.entropy = options.entropy ?? "none";
    this.providesEntropies = this.entropy !== "none";
    this.url = `${serverRoot(options.baseUrl)}/v1/completions`;
    this.limiter = new ConcurrencyLimiter(options.maxConcurrency ?? 8);
    this.dialect = SERVER_DIALECTS[options.serverKind ?? "ibtpo"];
    if (this.dialect === undefined) throw new RangeError(`unknown serverKind ${JSON.stringify(options.serverKind)}`);
    this.logprobTemperature = options.logprobTemperature ?? this.dialect.logprobTemperature;
    const topLogprobs = options.topLogprobs ?? (this.entropy === "top-k-lower-bound" ? 5 : this.dialect.minLogprobs);
    if (!Number.isInteger(topLogprobs) || topLogprobs < 0) {
      throw new RangeError(`topLogprobs must be an integer >= 0, got ${topLogprobs}`);
    }
    if (topLogprobs < this.dialect.minLogprobs) {
      throw new RangeError(
        `topLogprobs must be >= ${this.dialect.minLogprobs} for a ${this.dialect.kind} server (it reads logprobs: 0 as off)`,
      );
    }
    if (this.entropy === "top-k-lower-bound" && topLogprobs < 1) {
      throw new RangeError("entropy 'top-k-lower-bound' needs topLogprobs >= 1");
    }
    if (this.entropy === "server" && this.dialect.kind !== "ibtpo") {
      throw new RangeError(
        `entropy 'server' needs ibtpo serve's logprobs.entropies; a ${this.dialect.kind} server has none (use 'none' or 'top-k-lower-bound')`,
      );
    }
    const tokenIds = options.tokenIds ?? "token-id-strings";
    this.wire = {
      prompt: options.prompt ?? "token-ids",
      stop: options.stop ?? "token-ids",
      topLogprobs,
      // A codec reads token text; asking vLLM for "token_id:<id>" strings would defeat it.
      tokenIdFields: this.dialect.tokenIdStrings && tokenIds !== "token-id-strings" ? {} : this.dialect.tokenIdFields,
      neutralSampling: this.dialect.neutralSampling,
      sendStopTokens: this.dialect.stopTokens === "server",
      temperatureFields: this.dialect.temperatureFields,
      extraBody: options.extraBody ?? {},
    };
  }

  /**
   * Continuous batching over HTTP (tree-sampler's `continuousBatching`): every request the feed
   * returns is sent at once (within `maxConcurrency`), and the feed hears of each completion as it
   * arrives, so a prompt's next round is sent while other prompts' requests are still generating
   * instead of after the slowest request of a call. Each request goes out as `generate` sends it
   * alone (same body and seed); a failure that is final cancels the requests in flight.
   *
   * @example
   * await policy.decodeContinuously((finished) => (finished.length === 0 ? requests : []));
   */
  async decodeContinuously(feed: RequestFeed, options: { readonly signal?: AbortSignal } = {}): Promise<void> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const inFlight = new Map<number, Promise<FinishedRequest>>();
    let fed = 0;
    let finished: FinishedRequest[] = [];
    try {
      for (;;) {
        for (const request of await feed(finished)) {
          const number = fed++;
          const completed = this.generate([request], { signal: controller.signal }).then(([generation]) => ({
            request: number,
            generation: generation as Generation,
          }));
          completed.catch(() => {}); // awaited through the race below; a second failure must not go unhandled
          inFlight.set(number, completed);
        }
        if (inFlight.size === 0) return;
        const first = await Promise.race(inFlight.values());
        inFlight.delete(first.request);
        finished = [first];
      }
    } catch (error) {
      controller.abort();
      throw error;
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  async generate(
    requests: readonly GenerationRequest[],
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<Generation[]> {
    const call = this.calls++;
    const policySeed = this.options.seed ?? 0;
    const bodies = requests.map((request, index) => {
      this.checkTemperature(request, index);
      return completionsBody(
        request,
        request.settings.seed ?? deriveSeedMurmur3(policySeed, call, index),
        this.options.model,
        this.wire,
        `requests[${index}]`,
      );
    });
    // One failure that is final cancels the rest of the call: a tree sampler cannot use a partial batch.
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await Promise.all(
        bodies.map((body, index) =>
          this.limiter.run(() => this.complete(body, requests[index] as GenerationRequest, controller.signal)),
        ),
      );
    } catch (error) {
      controller.abort();
      if (options.signal?.aborted && !(PolicyHttpError.isInstance(error) && error.kind === "aborted")) {
        throw new PolicyHttpError(`request to ${this.url} was cancelled`, {
          kind: "aborted",
          url: this.url,
          cause: error,
        });
      }
      throw error;
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Refuse a temperature whose log-probs this server would not report (see `logprobTemperature`). */
  private checkTemperature(request: GenerationRequest, index: number): void {
    const temperature = request.settings.temperature ?? 1;
    if (this.logprobTemperature === "sampling-temperature" || temperature === 0 || temperature === 1) return;
    throw new PolicyHttpError(
      `requests[${index}].settings.temperature: ${temperature} cannot be sampled from a ${this.dialect.kind} server ` +
        "whose log-probs are of the temperature-1 distribution (the ratio in the loss would compare different " +
        "distributions); sample at temperature 1, or configure the server to report processed log-probs " +
        "(vLLM: --logprobs-mode processed_logprobs) and set logprobTemperature 'sampling-temperature'",
      { kind: "invalid-request", url: this.url },
    );
  }

  private complete(
    body: Record<string, unknown>,
    request: GenerationRequest,
    signal: AbortSignal,
  ): Promise<Generation> {
    const retry = this.options.retry ?? {};
    const backoff = new Backoff({
      ...retry,
      seed: deriveSeedMurmur3(retry.seed ?? this.options.seed ?? 0, body.seed as number),
    });
    const context = {
      url: this.url,
      maxTokens: request.settings.maxTokens,
      eosToken: this.eosToken,
      stopTokens: request.settings.stopTokens ?? [],
      tokenIds: this.options.tokenIds ?? "token-id-strings",
      entropy: this.entropy,
      topLogprobs: this.wire.topLogprobs,
      cutAtStopTokens: !this.wire.sendStopTokens,
    } as const;
    return withRetries(
      async () => {
        if (signal.aborted) {
          throw new PolicyHttpError(`request to ${this.url} was cancelled`, { kind: "aborted", url: this.url });
        }
        const answer = await requestJson(this.url, {
          method: "POST",
          body,
          timeoutMs: this.options.timeoutMs ?? 120_000,
          signal,
          ...(this.options.headers === undefined ? {} : { headers: this.options.headers }),
        });
        return generationFromCompletion(answer, context);
      },
      backoff,
      { maxAttempts: retry.maxAttempts ?? 4, signal },
    );
  }
}
