import type { ServerModel } from "./list-models.js";

/** The inference servers this client knows the dialect of; `"openai"` is any other compatible server. */
export const SERVER_KINDS = ["ibtpo", "vllm", "sglang", "llama.cpp", "openai"] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/**
 * Which distribution a server's log-probs describe:
 * - `"sampling-temperature"`: the temperature-scaled distribution the token was drawn from
 *   (before top-k/top-p/min-p truncation, which this client turns off), what a trainer recomputes;
 * - `"temperature-1"`: the raw model distribution whatever `temperature` was sent.
 */
export type LogprobTemperature = "sampling-temperature" | "temperature-1";

/** How one server kind is spoken to: tokenizer routes, body fields and what its answers mean. */
export interface ServerDialect {
  readonly kind: ServerKind;
  /** Route of text -> ids, and the body for `text`. Null: the server has no tokenizer route. */
  readonly tokenize: {
    readonly path: string;
    readonly body: (text: string, addSpecialTokens: boolean) => Record<string, unknown>;
  } | null;
  /** Route of ids -> text (the answer's `prompt`, `content` or `text` is read). */
  readonly detokenizePath: string | null;
  /** Body fields that make the server report sampled token ids (not only their text). */
  readonly tokenIdFields: Readonly<Record<string, unknown>>;
  /** The server's default id spelling is `"token_id:<id>"` strings when `tokenIdFields` asks for it. */
  readonly tokenIdStrings: boolean;
  /** Smallest `logprobs` count that returns the sampled tokens' log-probs (llama.cpp reads 0 as off). */
  readonly minLogprobs: number;
  /** Sampler knobs set to "off" explicitly, because the server's defaults truncate the distribution. */
  readonly neutralSampling: Readonly<Record<string, unknown>>;
  /**
   * `"server"`: stop tokens go as `stop_token_ids` and the server returns the stop token.
   * `"client"`: the server has no id stops (or drops the stop text from the answer), so the client
   * sends none and cuts each answer after its first stop token; the kept tokens are exactly a
   * sample that stops there, the rest is discarded work.
   */
  readonly stopTokens: "server" | "client";
  /** What the log-probs mean by default (see {@link LogprobTemperature}). */
  readonly logprobTemperature: LogprobTemperature;
  /** Extra body fields for a request at `temperature` (llama.cpp: post-sampling probabilities). */
  readonly temperatureFields: (temperature: number) => Readonly<Record<string, unknown>>;
  /** The context length its `GET /v1/models` entry gives, if any. */
  readonly contextLength: (card: ServerModel) => number | null;
}

const positiveInteger = (value: unknown): number | null =>
  Number.isSafeInteger(value) && (value as number) > 0 ? (value as number) : null;

const maxModelLen = (card: ServerModel) => positiveInteger(card.max_model_len);
const noFields = () => ({});

/**
 * Every server kind's dialect. Sources (read, not all run here): vLLM
 * `vllm/entrypoints/openai/protocol.py` and `serving_tokenization.py`, SGLang
 * `python/sglang/srt/entrypoints/openai/serving_completions.py`, `serving_tokenize.py` and
 * `layers/sampler.py`, llama.cpp `tools/server/server-context.cpp` and `server-task.cpp`
 * (the llama.cpp dialect is also exercised against a real `llama-server` in the trainer's tests).
 */
const vllm: ServerDialect = {
  kind: "vllm",
  tokenize: {
    path: "/tokenize",
    body: (text, addSpecialTokens) => ({ prompt: text, add_special_tokens: addSpecialTokens }),
  },
  detokenizePath: "/detokenize",
  tokenIdFields: { return_tokens_as_token_ids: true },
  tokenIdStrings: true,
  minLogprobs: 0,
  // -1 is "all tokens" in every vLLM version (0 only in newer ones).
  neutralSampling: { top_k: -1, min_p: 0, repetition_penalty: 1, presence_penalty: 0, frequency_penalty: 0 },
  stopTokens: "server",
  // `--logprobs-mode` defaults to raw_logprobs: the model's distribution before temperature.
  logprobTemperature: "temperature-1",
  temperatureFields: noFields,
  contextLength: maxModelLen,
};

export const SERVER_DIALECTS: Readonly<Record<ServerKind, ServerDialect>> = {
  // ibtpo serve speaks vLLM's dialect, with the documented log-prob semantics.
  ibtpo: {
    ...vllm,
    kind: "ibtpo",
    neutralSampling: { top_k: 0, min_p: 0 },
    logprobTemperature: "sampling-temperature",
  },
  vllm,
  sglang: {
    ...vllm,
    kind: "sglang",
    tokenize: { path: "/v1/tokenize", body: vllm.tokenize!.body },
    detokenizePath: "/v1/detokenize",
    tokenIdFields: { return_token_ids: true },
    tokenIdStrings: false,
    // log-softmax of logits / temperature unless SGLANG_RETURN_ORIGINAL_LOGPROB is set.
    logprobTemperature: "sampling-temperature",
  },
  "llama.cpp": {
    kind: "llama.cpp",
    tokenize: {
      path: "/tokenize",
      body: (text, addSpecialTokens) => ({ content: text, add_special: addSpecialTokens, parse_special: false }),
    },
    detokenizePath: "/detokenize",
    tokenIdFields: {},
    tokenIdStrings: false,
    minLogprobs: 1,
    // llama-server's defaults are top_k 40, top_p 0.95, min_p 0.05; the others below are off by default.
    neutralSampling: {
      top_k: 0,
      min_p: 0,
      typical_p: 1,
      repeat_penalty: 1,
      presence_penalty: 0,
      frequency_penalty: 0,
      dry_multiplier: 0,
      xtc_probability: 0,
      top_n_sigma: -1,
      mirostat: 0,
    },
    // llama-server has no stop_token_ids, and a stop string's tokens are cut from logprobs.
    stopTokens: "client",
    // Pre-sampling probabilities are the raw softmax (temperature 1); post-sampling ones are after
    // the temperature and the (neutral) truncations: asked for whenever temperature is not 1.
    logprobTemperature: "sampling-temperature",
    temperatureFields: (temperature) => (temperature > 0 && temperature !== 1 ? { post_sampling_probs: true } : {}),
    // The slot's context, but never past the trained one (llama.cpp may pad n_ctx up; a model
    // with learned positions has none beyond n_ctx_train).
    contextLength: (card) => {
      const meta = (card.meta ?? {}) as { n_ctx?: unknown; n_ctx_train?: unknown };
      const known = [positiveInteger(meta.n_ctx), positiveInteger(meta.n_ctx_train)].filter((n) => n !== null);
      return known.length === 0 ? null : Math.min(...known);
    },
  },
  openai: {
    kind: "openai",
    tokenize: null,
    detokenizePath: null,
    tokenIdFields: {},
    tokenIdStrings: false,
    minLogprobs: 1,
    neutralSampling: {},
    stopTokens: "client",
    logprobTemperature: "temperature-1",
    temperatureFields: noFields,
    contextLength: maxModelLen,
  },
};

/**
 * The server kind behind a `GET /v1/models` entry: `ibtpo serve` names itself in an `ibtpo`
 * field, llama.cpp's server owns its models as `llamacpp` (with a `meta` object), vLLM and SGLang
 * as `vllm` and `sglang`; anything else is `"openai"`.
 *
 * @example
 * detectServerKind({ id: "m", owned_by: "llamacpp", meta: { n_ctx: 4096 } }); // "llama.cpp"
 */
export function detectServerKind(card: ServerModel): ServerKind {
  if (typeof card.ibtpo === "object" && card.ibtpo !== null) return "ibtpo";
  const owner = typeof card.owned_by === "string" ? card.owned_by.toLowerCase() : "";
  if (owner === "llamacpp" || owner === "llama.cpp") return "llama.cpp";
  if (owner === "vllm") return "vllm";
  if (owner === "sglang") return "sglang";
  return "openai";
}
