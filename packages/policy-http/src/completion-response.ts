import type { FinishReason, Generation } from "@ibtpo/tree-sampler";
import { entropyLowerBound } from "./entropy-bound.js";
import { PolicyHttpError, type PolicyHttpErrorKind } from "./errors.js";
import { type TokenIdSource, tokenIdOf } from "./token-ids.js";

/**
 * Where per-token entropies come from:
 * - `"none"`: not reported (`entropies` is null);
 * - `"server"`: the exact entropies of `logprobs.entropies`, an extension `ibtpo serve` returns;
 * - `"top-k-lower-bound"`: {@link entropyLowerBound} of each position's `top_logprobs`.
 */
export type EntropySource = "none" | "server" | "top-k-lower-bound";

export interface CompletionContext {
  readonly url: string;
  readonly maxTokens: number;
  readonly eosToken: number;
  readonly stopTokens: readonly number[];
  readonly tokenIds: TokenIdSource;
  readonly entropy: EntropySource;
  /** The `logprobs` count asked for (k of the top-k bound). */
  readonly topLogprobs: number;
  /**
   * The stop tokens were not sent (the server cannot stop on ids): cut the answer after its first
   * stop or end token. Default false: a stop token before the end is left as it came.
   */
  readonly cutAtStopTokens?: boolean;
}

/** Log-probs a hair above 0 are rounding in the server's float32 softmax. */
const POSITIVE_LOGPROB_TOLERANCE = 1e-5;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

type Fail = (path: string, detail: string, kind?: PolicyHttpErrorKind) => PolicyHttpError;

/** One answer's per-token fields, whichever of the two shapes it came in. */
interface TokenEntries {
  readonly ids: Int32Array;
  readonly logprobs: Float64Array;
  /** Each position's known top log-probs (null when not asked for). */
  readonly top: ((index: number) => number[]) | null;
  /** Path of the top log-probs field, for errors. */
  readonly topPath: string;
}

/**
 * Turn one `/v1/completions` answer (a single choice) into a tree-sampler `Generation`, checking
 * every field it relies on; a problem is a {@link PolicyHttpError} naming the JSON path. Reads both
 * log-prob shapes: the completions one (`logprobs.tokens`, `token_logprobs`, `top_logprobs` as
 * token -> log-prob objects; vLLM, SGLang, `ibtpo serve`) and the chat one that llama.cpp's server
 * also uses for completions (`logprobs.content[] = {id, token, logprob | prob, top_logprobs[]}`).
 */
export function generationFromCompletion(value: unknown, context: CompletionContext): Generation {
  const fail: Fail = (path, detail, kind = "malformed") =>
    new PolicyHttpError(`${path}: ${detail} (${context.url})`, { kind, url: context.url });
  if (!isObject(value) || !Array.isArray(value.choices)) throw fail("choices", "expected an array of choices");
  if (value.choices.length !== 1)
    throw fail("choices", `expected exactly 1 choice (n = 1), got ${value.choices.length}`);
  const choice = value.choices[0];
  if (!isObject(choice)) throw fail("choices[0]", "expected an object");
  const logprobs = choice.logprobs;
  const entries = isObject(logprobs)
    ? Array.isArray(logprobs.content)
      ? contentEntries(logprobs.content, context, fail)
      : Array.isArray(logprobs.token_logprobs)
        ? completionEntries(choice, logprobs, context, fail)
        : null
    : null;
  if (entries === null) {
    throw fail(
      "choices[0].logprobs",
      `the server returned no per-token log-probs; it must honour the \`logprobs\` parameter of /v1/completions${
        context.topLogprobs === 0 ? " (if it reads logprobs: 0 as off, ask for 1 top log-prob)" : ""
      }`,
      "missing-logprobs",
    );
  }
  const kept = context.cutAtStopTokens ? keptLength(entries.ids, context) : entries.ids.length;
  const tokens = entries.ids.slice(0, kept);
  return {
    tokens,
    logprobs: entries.logprobs.slice(0, kept),
    entropies: entropies(entries, logprobs as Json, kept, context, fail),
    finishReason: finishReason(choice.finish_reason, tokens, context, fail),
  };
}

/** Tokens up to and including the first end or stop token (all of them when there is none). */
function keptLength(ids: Int32Array, context: CompletionContext): number {
  const index = ids.findIndex((id) => id === context.eosToken || context.stopTokens.includes(id));
  return index < 0 ? ids.length : index + 1;
}

function checkedLength(length: number, path: string, context: CompletionContext, fail: Fail): void {
  // Cutting at a stop token on the client can only shorten an answer, never lengthen it.
  if (length < 1 || length > context.maxTokens) {
    throw fail(path, `expected 1 to ${context.maxTokens} entries, got ${length}`);
  }
}

function logprobValue(value: unknown, path: string, fail: Fail): number {
  if (value === null) throw fail(path, "the server returned null for this token's log-prob", "missing-logprobs");
  if (typeof value !== "number" || Number.isNaN(value) || value > POSITIVE_LOGPROB_TOLERANCE) {
    throw fail(path, `expected a log-prob <= 0, got ${JSON.stringify(value)}`);
  }
  return Math.min(0, value);
}

/** A probability in [0, 1] (llama.cpp's post-sampling `prob`) as a log-prob. */
function probabilityLogprob(value: unknown, path: string, fail: Fail): number {
  if (typeof value !== "number" || !(value > 0) || value > 1 + POSITIVE_LOGPROB_TOLERANCE) {
    throw fail(path, `expected a probability in (0, 1], got ${JSON.stringify(value)}`);
  }
  return Math.min(0, Math.log(value));
}

function completionEntries(choice: Json, logprobs: Json, context: CompletionContext, fail: Fail): TokenEntries {
  const tokenLogprobs = logprobs.token_logprobs as unknown[];
  const length = tokenLogprobs.length;
  checkedLength(length, "choices[0].logprobs.token_logprobs", context, fail);
  const values = Float64Array.from(tokenLogprobs, (logprob, index) =>
    logprobValue(logprob, `choices[0].logprobs.token_logprobs[${index}]`, fail),
  );
  const direct = Array.isArray(choice.token_ids);
  const source = direct ? (choice.token_ids as unknown[]) : logprobs.tokens;
  const path = direct ? "choices[0].token_ids" : "choices[0].logprobs.tokens";
  if (!Array.isArray(source) || source.length !== length) {
    throw fail(
      path,
      `expected ${length} tokens (one per log-prob), got ${Array.isArray(source) ? source.length : "none"}`,
    );
  }
  const ids = new Int32Array(length);
  source.forEach((token, index) => {
    const id = direct ? token : tokenIdOf(token, context.tokenIds);
    if (typeof id === "string") throw fail(`${path}[${index}]`, id);
    ids[index] = tokenIdValue(id, `${path}[${index}]`, fail);
  });
  const topPath = "choices[0].logprobs.top_logprobs";
  const tops = logprobs.top_logprobs;
  const top = Array.isArray(tops)
    ? (index: number) => {
        const entry = tops[index];
        const known = isObject(entry) ? Object.values(entry) : [];
        return known.map((logprob) => logprobValue(logprob, `${topPath}[${index}]`, fail));
      }
    : null;
  return { ids, logprobs: values, top: Array.isArray(tops) && tops.length === length ? top : null, topPath };
}

function tokenIdValue(id: unknown, path: string, fail: Fail): number {
  if (!Number.isSafeInteger(id) || (id as number) < 0) {
    throw fail(path, `expected a token id >= 0, got ${JSON.stringify(id)}`);
  }
  return id as number;
}

/** llama.cpp's `content[]`: `logprob` (pre-sampling) or `prob` (with `post_sampling_probs`). */
function contentEntries(content: unknown[], context: CompletionContext, fail: Fail): TokenEntries {
  const path = "choices[0].logprobs.content";
  checkedLength(content.length, path, context, fail);
  const ids = new Int32Array(content.length);
  const values = new Float64Array(content.length);
  const tops: unknown[] = [];
  content.forEach((entry, index) => {
    const at = `${path}[${index}]`;
    if (!isObject(entry)) throw fail(at, "expected an object with id and logprob");
    ids[index] = tokenIdValue(entry.id, `${at}.id`, fail);
    values[index] =
      entry.logprob === undefined && entry.prob !== undefined
        ? probabilityLogprob(entry.prob, `${at}.prob`, fail)
        : logprobValue(entry.logprob, `${at}.logprob`, fail);
    tops.push(entry.top_logprobs ?? entry.top_probs);
  });
  const top = (index: number) => {
    const list = tops[index];
    const at = `${path}[${index}].top_logprobs`;
    if (!Array.isArray(list)) return [];
    return list.map((item, rank) => {
      if (!isObject(item)) throw fail(`${at}[${rank}]`, "expected an object with logprob");
      return item.logprob === undefined && item.prob !== undefined
        ? probabilityLogprob(item.prob, `${at}[${rank}].prob`, fail)
        : logprobValue(item.logprob, `${at}[${rank}].logprob`, fail);
    });
  };
  return { ids, logprobs: values, top, topPath: `${path}[].top_logprobs` };
}

function entropies(
  entries: TokenEntries,
  logprobs: Json,
  length: number,
  context: CompletionContext,
  fail: Fail,
): Float64Array | null {
  if (context.entropy === "none") return null;
  if (context.entropy === "server") {
    const path = "choices[0].logprobs.entropies";
    const values = logprobs.entropies;
    if (!Array.isArray(values) || values.length < length) {
      throw fail(
        path,
        `expected ${length} entries, got ${Array.isArray(values) ? values.length : "none"} ` +
          "(per-token entropies are an ibtpo serve extension; use entropy 'none' or 'top-k-lower-bound' with other servers)",
      );
    }
    return Float64Array.from(values.slice(0, length), (entry, index) => {
      if (typeof entry !== "number" || !(entry >= 0)) throw fail(`${path}[${index}]`, "expected an entropy >= 0");
      return entry;
    });
  }
  if (entries.top === null) {
    throw fail(
      entries.topPath,
      `expected ${length} entries, got none (ask for logprobs >= 1 and check the server returns top log-probs)`,
    );
  }
  const top = entries.top;
  return Float64Array.from({ length }, (_, index) => {
    const known = top(index);
    if (known.length === 0) throw fail(`${entries.topPath}[${index}]`, "expected at least one top log-prob");
    return entropyLowerBound(known, context.topLogprobs);
  });
}

function finishReason(reason: unknown, tokens: Int32Array, context: CompletionContext, fail: Fail): FinishReason {
  const last = tokens[tokens.length - 1] as number;
  if (last === context.eosToken) return "eos";
  if (context.stopTokens.includes(last)) return "stop";
  if (reason === "length" || (context.cutAtStopTokens && tokens.length === context.maxTokens)) return "length";
  throw fail(
    "choices[0].finish_reason",
    `is ${JSON.stringify(reason)} but the last token ${last} is neither the end token ${context.eosToken} nor a stop token; ` +
      "the server must return the token that ended the generation (and stop on token ids, not strings)",
  );
}
