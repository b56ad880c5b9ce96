import type { Generation } from "@ibtpo/tree-sampler";
import type { CompletionRequest } from "./parse-completion-request.js";
import type { ServedModel } from "./served-model.js";
import type { TokenLogprob } from "./top-logprobs.js";

/**
 * The `/v1/completions` answer for a request's generations (prompt-major, then choice). The end
 * or stop token that finished a generation is part of `logprobs.tokens` (with its log-prob), so a
 * client reads every sampled token back; `text` drops special tokens. `top_logprobs` is null
 * unless the request asked for `logprobs` > 0. `logprobs.entropies` (exact,
 * nats, of the temperature-scaled distribution) is this server's extension to the format.
 */
export function completionResponse(
  request: CompletionRequest,
  generations: readonly Generation[],
  model: ServedModel,
  id: string,
  created: number,
  /** Per generation, per position, the top tokens (when `logprobs` > 0). */
  tops: readonly (readonly (readonly TokenLogprob[])[])[] | null = null,
) {
  const tokenText = (token: number) =>
    request.tokenIdStrings ? `token_id:${token}` : model.tokenizer.tokenText(token);
  let promptTokens = 0;
  for (const prompt of request.prompts) promptTokens += prompt.length * request.n;
  let completionTokens = 0;
  const choices = generations.map((generation, index) => {
    completionTokens += generation.tokens.length;
    const tokens = Array.from(generation.tokens);
    const text = model.tokenizer.decode(tokens);
    let offset = 0;
    const offsets = tokens.map((token) => {
      const at = offset;
      offset += model.tokenizer.decode([token]).length;
      return at;
    });
    return {
      index,
      text,
      finish_reason: generation.finishReason === "length" ? "length" : "stop",
      // vLLM's convention: the stop token id that ended the generation, null for the end token.
      stop_reason: generation.finishReason === "stop" ? tokens[tokens.length - 1] : null,
      logprobs:
        request.logprobs === null
          ? null
          : {
              tokens: tokens.map(tokenText),
              token_logprobs: Array.from(generation.logprobs),
              top_logprobs:
                tops?.[index]?.map((entries) =>
                  Object.fromEntries(entries.map((entry) => [tokenText(entry.token), entry.logprob])),
                ) ?? null,
              text_offset: offsets,
              ...(generation.entropies === null ? {} : { entropies: Array.from(generation.entropies) }),
            },
    };
  });
  return {
    id,
    object: "text_completion",
    created,
    model: model.id,
    choices,
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}
