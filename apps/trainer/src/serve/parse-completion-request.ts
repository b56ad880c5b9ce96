import { badField, OpenAIRequestError } from "./openai-error.js";
import { DEFAULT_SERVE_LIMITS, type ServeLimits } from "./serve-limits.js";
import type { ServedModel } from "./served-model.js";

/** A validated `/v1/completions` request, prompts already as token ids. */
export interface CompletionRequest {
  readonly model: string;
  readonly prompts: readonly Int32Array[];
  readonly maxTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly topK: number;
  readonly stopTokens: readonly number[];
  /** Null: the server draws one. */
  readonly seed: number | null;
  readonly n: number;
  /** Null: no log-probs in the answer. */
  readonly logprobs: number | null;
  readonly tokenIdStrings: boolean;
}

/** Sampler knobs this server does not implement; accepted only at their neutral value. */
const NEUTRAL: Readonly<Record<string, unknown>> = {
  frequency_penalty: 0,
  presence_penalty: 0,
  repetition_penalty: 1,
  min_p: 0,
  echo: false,
  stream: false,
  suffix: null,
};
const MAX_CHOICES = 128;

type Body = Record<string, unknown>;

function integer(body: Body, key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = body[key] ?? fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw badField(key, `must be an integer ${range}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function real(body: Body, key: string, fallback: number, valid: (value: number) => boolean, rule: string): number {
  const value = body[key] ?? fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || !valid(value)) {
    throw badField(key, `must be a number ${rule}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function tokenIds(value: unknown, model: ServedModel, param: string): Int32Array {
  if (!Array.isArray(value)) throw badField(param, "expected an array of token ids");
  value.forEach((id, index) => {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id >= model.vocabSize) {
      throw badField(
        `${param}[${index}]`,
        `${JSON.stringify(id)} is not a token id of this model (0 to ${model.vocabSize - 1})`,
      );
    }
  });
  return Int32Array.from(value as number[]);
}

/** Text prompts get BOS first, as vLLM adds special tokens to text prompts; id prompts go as sent. */
function prompts(value: unknown, model: ServedModel): Int32Array[] {
  const encodeText = (text: string, param: string) => {
    try {
      return model.tokenizer.encode(text, { bos: true });
    } catch (error) {
      throw badField(param, (error as Error).message);
    }
  };
  let result: Int32Array[];
  if (typeof value === "string") result = [encodeText(value, "prompt")];
  else if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "number"))
    result = [tokenIds(value, model, "prompt")];
  else if (Array.isArray(value) && value.length > 0) {
    result = value.map((item, index) =>
      typeof item === "string" ? encodeText(item, `prompt[${index}]`) : tokenIds(item, model, `prompt[${index}]`),
    );
  } else throw badField("prompt", "expected a string, an array of token ids, or a non-empty array of either");
  result.forEach((ids, index) => {
    const param = result.length === 1 && !Array.isArray((value as unknown[])[0]) ? "prompt" : `prompt[${index}]`;
    if (ids.length === 0) throw badField(param, "is empty");
    if (ids.length >= model.contextLength) {
      throw badField(param, `${ids.length} tokens leave no room in the context of ${model.contextLength}`);
    }
  });
  return result;
}

function stopTokens(body: Body, model: ServedModel): number[] {
  const ids =
    body.stop_token_ids === undefined || body.stop_token_ids === null
      ? []
      : Array.from(tokenIds(body.stop_token_ids, model, "stop_token_ids"));
  const stop = body.stop ?? null;
  if (stop === null) return ids;
  const strings = typeof stop === "string" ? [stop] : stop;
  if (!Array.isArray(strings)) throw badField("stop", "expected a string or an array of strings");
  strings.forEach((text, index) => {
    const param = typeof stop === "string" ? "stop" : `stop[${index}]`;
    const encoded = typeof text === "string" && text.length > 0 ? safeEncode(model, text) : null;
    if (encoded?.length !== 1) {
      throw badField(
        param,
        `${JSON.stringify(text)} is not one token of this vocabulary; this server stops on single tokens`,
      );
    }
    ids.push(encoded[0] as number);
  });
  return ids;
}

function safeEncode(model: ServedModel, text: string): Int32Array | null {
  try {
    return model.tokenizer.encode(text);
  } catch {
    return null;
  }
}

/** How many prompts `prompt` holds, counted before any is tokenized. */
function promptCount(value: unknown): number {
  if (!Array.isArray(value) || value.length === 0 || value.every((item) => typeof item === "number")) return 1;
  return value.length;
}

/** Refuse a request above the per-request limits, before its prompts are tokenized and after. */
function checkRequestSize(
  fields: Body,
  n: number,
  limits: Pick<ServeLimits, "maxRowsPerRequest" | "maxTokensPerRequest">,
): void {
  const rows = promptCount(fields.prompt) * n;
  if (rows > limits.maxRowsPerRequest) {
    throw new OpenAIRequestError(
      400,
      `prompt: ${rows} rows (prompts x n) exceed this server's limit of ${limits.maxRowsPerRequest} per request; split the request`,
      "prompt",
      "too_many_rows",
    );
  }
}

function checkTokenCount(
  prompts: readonly Int32Array[],
  n: number,
  maxTokens: number,
  model: ServedModel,
  limit: number,
): void {
  let tokens = 0;
  for (const prompt of prompts) tokens += n * Math.min(maxTokens, model.contextLength - prompt.length);
  if (tokens > limit) {
    throw new OpenAIRequestError(
      400,
      `max_tokens: the request may generate ${tokens} tokens (rows x max_tokens within the context), above this server's limit of ${limit} per request; lower max_tokens or n, or split the request`,
      "max_tokens",
      "too_many_tokens",
    );
  }
}

/**
 * Validate a `/v1/completions` body (the subset: model, prompt, max_tokens, temperature, top_p,
 * top_k, stop, stop_token_ids, seed, n, logprobs, return_tokens_as_token_ids). Anything invalid
 * or unsupported is an {@link OpenAIRequestError} whose message names the field. `logprobs`
 * above 0 (top log-probs) is accepted up to `maxLogprobs`. A request above the per-request `limits`
 * (rows, generated tokens) is a 400 naming the limit.
 */
export function parseCompletionRequest(
  body: unknown,
  model: ServedModel,
  maxLogprobs = 0,
  limits: Pick<ServeLimits, "maxRowsPerRequest" | "maxTokensPerRequest"> = DEFAULT_SERVE_LIMITS,
): CompletionRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new OpenAIRequestError(400, "the request body must be a JSON object");
  }
  const fields = body as Body;
  if (typeof fields.model !== "string") throw badField("model", "must be a string (see GET /v1/models)");
  if (fields.model !== model.id) {
    throw new OpenAIRequestError(
      404,
      `model: "${fields.model}" does not exist; this server has "${model.id}"`,
      "model",
      "model_not_found",
    );
  }
  for (const [key, neutral] of Object.entries(NEUTRAL)) {
    if (fields[key] !== undefined && fields[key] !== null && fields[key] !== neutral) {
      throw badField(
        key,
        `only ${JSON.stringify(neutral)} is supported by this server, got ${JSON.stringify(fields[key])}`,
      );
    }
  }
  if (
    fields.logit_bias !== undefined &&
    fields.logit_bias !== null &&
    Object.keys(fields.logit_bias as object).length > 0
  ) {
    throw badField("logit_bias", "is not supported by this server");
  }
  const n = integer(fields, "n", 1, 1, MAX_CHOICES);
  checkRequestSize(fields, n, limits);
  if (fields.best_of !== undefined && fields.best_of !== null && fields.best_of !== n) {
    throw badField("best_of", "must equal n (this server does not rank candidates)");
  }
  const logprobs = fields.logprobs === undefined || fields.logprobs === null ? null : integer(fields, "logprobs", 0, 0);
  if (logprobs !== null && logprobs > maxLogprobs) {
    throw badField(
      "logprobs",
      maxLogprobs === 0
        ? `only 0 is supported by this server (the sampled tokens' log-probs, with exact entropies in logprobs.entropies), got ${logprobs}`
        : `must be an integer in [0, ${maxLogprobs}] (the vocabulary size), got ${logprobs}`,
    );
  }
  const seed =
    fields.seed === undefined || fields.seed === null ? null : integer(fields, "seed", 0, Number.MIN_SAFE_INTEGER);
  const returnIds = fields.return_tokens_as_token_ids ?? false;
  if (typeof returnIds !== "boolean") throw badField("return_tokens_as_token_ids", "must be a boolean");
  const promptIds = prompts(fields.prompt, model);
  const maxTokens = integer(fields, "max_tokens", 16, 1);
  checkTokenCount(promptIds, n, maxTokens, model, limits.maxTokensPerRequest);
  return {
    model: fields.model,
    prompts: promptIds,
    maxTokens,
    temperature: real(fields, "temperature", 1, (value) => value >= 0, ">= 0"),
    topP: real(fields, "top_p", 1, (value) => value > 0 && value <= 1, "in (0, 1]"),
    topK: Math.max(0, integer(fields, "top_k", 0, -1)),
    stopTokens: stopTokens(fields, model),
    seed,
    n,
    logprobs,
    tokenIdStrings: returnIds,
  };
}
