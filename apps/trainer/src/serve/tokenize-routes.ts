import { badField, OpenAIRequestError } from "./openai-error.js";
import type { ServedModel } from "./served-model.js";

/**
 * vLLM's `POST /tokenize`: `{"prompt": text, "add_special_tokens"?: bool}` (default true, which
 * prepends BOS) to `{"tokens", "count", "max_model_len"}`.
 */
export function tokenize(body: unknown, model: ServedModel) {
  const fields = (body ?? {}) as Record<string, unknown>;
  if (typeof fields.prompt !== "string") throw badField("prompt", "must be a string");
  const special = fields.add_special_tokens ?? true;
  if (typeof special !== "boolean") throw badField("add_special_tokens", "must be a boolean");
  let tokens: Int32Array;
  try {
    tokens = model.tokenizer.encode(fields.prompt, { bos: special });
  } catch (error) {
    throw badField("prompt", (error as Error).message);
  }
  return { tokens: Array.from(tokens), count: tokens.length, max_model_len: model.contextLength };
}

/** vLLM's `POST /detokenize`: `{"tokens": ids}` to `{"prompt": text}` (special tokens dropped). */
export function detokenize(body: unknown, model: ServedModel) {
  const tokens = (body as Record<string, unknown> | null)?.tokens;
  if (!Array.isArray(tokens)) throw badField("tokens", "must be an array of token ids");
  try {
    return { prompt: model.tokenizer.decode(tokens as number[]) };
  } catch (error) {
    throw new OpenAIRequestError(400, `tokens: ${(error as Error).message}`, "tokens");
  }
}
