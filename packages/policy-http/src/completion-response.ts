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
}

/** Log-probs a hair above 0 are rounding in the server's float32 softmax. */
const POSITIVE_LOGPROB_TOLERANCE = 1e-5;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Turn one `/v1/completions` answer (a single choice) into a tree-sampler `Generation`, checking
 * every field it relies on; a problem is a {@link PolicyHttpError} naming the JSON path.
 */
export function generationFromCompletion(value: unknown, context: CompletionContext): Generation {
  const fail = (path: string, detail: string, kind: PolicyHttpErrorKind = "malformed") =>
    new PolicyHttpError(`${path}: ${detail} (${context.url})`, { kind, url: context.url });
  if (!isObject(value) || !Array.isArray(value.choices)) throw fail("choices", "expected an array of choices");
  if (value.choices.length !== 1)
    throw fail("choices", `expected exactly 1 choice (n = 1), got ${value.choices.length}`);
  const choice = value.choices[0];
  if (!isObject(choice)) throw fail("choices[0]", "expected an object");
  const logprobs = choice.logprobs;
  if (!isObject(logprobs) || !Array.isArray(logprobs.token_logprobs)) {
    throw fail(
      "choices[0].logprobs",
      `the server returned no per-token log-probs; it must honour the \`logprobs\` parameter of /v1/completions${
        context.topLogprobs === 0 ? " (if it reads logprobs: 0 as off, set topLogprobs: 1)" : ""
      }`,
      "missing-logprobs",
    );
  }
  const tokenLogprobs = logprobs.token_logprobs;
  const length = tokenLogprobs.length;
  if (length < 1 || length > context.maxTokens) {
    throw fail("choices[0].logprobs.token_logprobs", `expected 1 to ${context.maxTokens} entries, got ${length}`);
  }
  const result = new Float64Array(length);
  tokenLogprobs.forEach((logprob, index) => {
    const path = `choices[0].logprobs.token_logprobs[${index}]`;
    if (logprob === null) throw fail(path, "the server returned null for this token's log-prob", "missing-logprobs");
    if (typeof logprob !== "number" || Number.isNaN(logprob) || logprob > POSITIVE_LOGPROB_TOLERANCE) {
      throw fail(path, `expected a log-prob <= 0, got ${JSON.stringify(logprob)}`);
    }
    result[index] = Math.min(0, logprob);
  });
  const tokens = tokenIds(choice, logprobs, length, context, fail);
  return {
    tokens,
    logprobs: result,
    entropies: entropies(logprobs, length, context, fail),
    finishReason: finishReason(choice.finish_reason, tokens, context, fail),
  };
}

type Fail = (path: string, detail: string, kind?: PolicyHttpErrorKind) => PolicyHttpError;

function tokenIds(choice: Json, logprobs: Json, length: number, context: CompletionContext, fail: Fail): Int32Array {
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
    if (!Number.isSafeInteger(id) || (id as number) < 0) {
      throw fail(`${path}[${index}]`, `expected a token id >= 0, got ${JSON.stringify(id)}`);
    }
    ids[index] = id as number;
  });
  return ids;
}

function entropies(logprobs: Json, length: number, context: CompletionContext, fail: Fail): Float64Array | null {
  if (context.entropy === "none") return null;
  const field = context.entropy === "server" ? "entropies" : "top_logprobs";
  const path = `choices[0].logprobs.${field}`;
  const values = logprobs[field];
  if (!Array.isArray(values) || values.length !== length) {
    const hint =
      context.entropy === "server"
        ? "per-token entropies are an ibtpo serve extension; use entropy 'none' or 'top-k-lower-bound' with other servers"
        : "ask for logprobs >= 1 and check the server returns top_logprobs";
    throw fail(path, `expected ${length} entries, got ${Array.isArray(values) ? values.length : "none"} (${hint})`);
  }
  const result = new Float64Array(length);
  values.forEach((entry, index) => {
    if (context.entropy === "server") {
      if (typeof entry !== "number" || !(entry >= 0)) throw fail(`${path}[${index}]`, "expected an entropy >= 0");
      result[index] = entry;
      return;
    }
    const known = isObject(entry) ? Object.values(entry) : [];
    if (
      known.length === 0 ||
      known.some((logprob) => typeof logprob !== "number" || !(logprob <= POSITIVE_LOGPROB_TOLERANCE))
    ) {
      throw fail(`${path}[${index}]`, "expected an object of token -> log-prob <= 0");
    }
    result[index] = entropyLowerBound(
      (known as number[]).map((logprob) => Math.min(0, logprob)),
      context.topLogprobs,
    );
  });
  return result;
}

function finishReason(reason: unknown, tokens: Int32Array, context: CompletionContext, fail: Fail): FinishReason {
  const last = tokens[tokens.length - 1] as number;
  if (last === context.eosToken) return "eos";
  if (context.stopTokens.includes(last)) return "stop";
  if (reason === "length") return "length";
  throw fail(
    "choices[0].finish_reason",
    `is ${JSON.stringify(reason)} but the last token ${last} is neither the end token ${context.eosToken} nor a stop token; ` +
      "the server must return the token that ended the generation (and stop on token ids, not strings)",
  );
}
