/**
 * The seam between samplers and language models. A `Policy` continues many token prefixes in one
 * batched call. It is small on purpose: the tfjs transformer, the tabular reference policy and an
 * HTTP client for an OpenAI-compatible completions server all implement it.
 *
 * Log-probs and entropies are those of the distribution the token was drawn from at the request's
 * temperature, before top-k / top-p truncation (what a trainer recomputes for the same tokens).
 *
 * @example
 * const [generation] = await policy.generate([
 *   { prefix: [1, 7, 9], settings: { maxTokens: 32, temperature: 1, stopTokens: [3], seed: 42 } },
 * ]);
 * generation.tokens; // Int32Array of sampled tokens, the stop or end token included
 */
export interface SamplingSettings {
  /** Upper bound on generated tokens for this request; must be >= 1. */
  readonly maxTokens: number;
  /** Softmax temperature, > 0. Default 1. */
  readonly temperature?: number;
  /** Nucleus sampling mass in (0, 1]. Default 1 (off). */
  readonly topP?: number;
  /** Keep only the k most likely tokens; 0 or absent means off. */
  readonly topK?: number;
  /** Generation stops after emitting any of these tokens (the token is included in the output). */
  readonly stopTokens?: readonly number[];
  /** Seed for this request's random draws: the same prefix, settings and seed give the same tokens. */
  readonly seed?: number;
  /**
   * Draws of this seed's stream an earlier part of the same generation already made: the policy
   * draws as if they had been made, so a generation continued in chunks draws what it would have
   * drawn in one call. Honoured only by policies with {@link Policy.resumesDraws}. Default 0.
   */
  readonly drawOffset?: number;
}

export interface GenerationRequest {
  /** Token ids to continue (prompt plus any reused tree prefix). */
  readonly prefix: ArrayLike<number>;
  readonly settings: SamplingSettings;
}

/** Why a generation stopped: the policy's end token, one of the request's stop tokens, or maxTokens. */
export type FinishReason = "eos" | "stop" | "length";

export interface Generation {
  /** Sampled token ids, including the end or stop token that finished the generation. */
  readonly tokens: Int32Array;
  /** log pi(token | prefix) for each sampled token; <= 0. */
  readonly logprobs: Float64Array;
  /** Entropy (nats) of the full next-token distribution at each position, or null if unavailable. */
  readonly entropies: Float64Array | null;
  readonly finishReason: FinishReason;
}

/**
 * A scope in which a policy keeps what it decoded (for a transformer: the keys and values of each
 * sequence), so that a later request whose prefix continues a sequence it has seen starts from it
 * instead of encoding the prefix again. Opened by {@link Policy.openPrefixCache}, passed to every
 * `generate` call of the scope, and disposed by whoever opened it. Only valid while the policy's
 * weights stay the same; a policy drops what it holds when they change.
 *
 * @example
 * const cache = policy.openPrefixCache?.();
 * try {
 *   await policy.generate(requests, { prefixCache: cache });
 *   await policy.generate(continuations, { prefixCache: cache }); // prefixes seen above are not re-encoded
 * } finally {
 *   cache?.dispose();
 * }
 */
export interface PrefixCache {
  /** Free what the cache holds; it must not be passed to `generate` afterwards. */
  dispose(): void;
}

/** Options of one `generate` call. */
export interface GenerateOptions {
  readonly signal?: AbortSignal;
  /**
   * A cache from this policy's {@link Policy.openPrefixCache}; absent means every prefix is
   * encoded from scratch. The same requests give the same tokens with or without it, up to
   * floating-point rounding of the reused prefix (the policy's documentation says how much).
   */
  readonly prefixCache?: PrefixCache;
}

/** A request a continuously decoding policy finished: its number (see {@link RequestFeed}) and its generation. */
export interface FinishedRequest {
  readonly request: number;
  readonly generation: Generation;
}

/**
 * Where a continuously decoding policy ({@link Policy.decodeContinuously}) gets its requests: it
 * calls the feed once before decoding, then after every decode step in which requests finished,
 * with their generations; the requests returned join the running batch. Requests are numbered in
 * the order the feed returned them, from 0.
 */
export type RequestFeed = (
  finished: readonly FinishedRequest[],
) => readonly GenerationRequest[] | Promise<readonly GenerationRequest[]>;

export interface Policy {
  /** A short human-readable name for logs and reports. */
  readonly name: string;
  /** The token that ends a response. */
  readonly eosToken: number;
  /**
   * The token that ends a reasoning step ("\n" in this project's vocabularies), if the policy has
   * one; samplers use it as the default step delimiter.
   */
  readonly stepDelimiter?: number | undefined;
  /**
   * Whether the policy honours {@link SamplingSettings.drawOffset} (one draw of the seed's stream
   * per generated token). Samplers then continue a chunked generation with its own seed and the
   * draws it made, instead of a derived seed.
   */
  readonly resumesDraws?: boolean;
  /** Whether `generate` returns per-token entropies (false means every `entropies` is null). */
  readonly providesEntropies: boolean;
  /**
   * Optional capability: open a {@link PrefixCache} for a series of `generate` calls. Policies
   * without it (an HTTP client, test doubles) encode every prefix in every call.
   */
  openPrefixCache?(): PrefixCache;
  /**
   * Optional capability: continuous batching. Decode the requests of `feed` in one running batch
   * that takes new requests whenever earlier ones finish, so a request never waits for batch mates
   * that are still generating. A request's generation is the one `generate` gives it (same prefix,
   * settings and seed, same tokens). Resolves once no request is in flight and the feed returned none.
   *
   * @example
   * await policy.decodeContinuously?.((finished) => (finished.length === 0 ? requests : []));
   */
  decodeContinuously?(feed: RequestFeed, options?: GenerateOptions): Promise<void>;
  /** Continue every request's prefix; the result has one entry per request, in order. */
  generate(requests: readonly GenerationRequest[], options?: GenerateOptions): Promise<Generation[]>;
}
