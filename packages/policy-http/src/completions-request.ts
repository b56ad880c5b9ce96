import type { GenerationRequest, TextCodec } from "@ibtpo/tree-sampler";
import { PolicyHttpError } from "./errors.js";

/** How prefixes and stop tokens go over the wire. */
export interface WireFormat {
  /** Send the prefix as token ids (default) or as text through a codec. */
  readonly prompt: "token-ids" | TextCodec;
  /** Stop tokens as vLLM's `stop_token_ids` (default) or as `stop` strings through a codec. */
  readonly stop: "token-ids" | TextCodec;
  /** `logprobs` asked for: 0 returns the sampled token's log-prob only (1 on servers that read 0 as off). */
  readonly topLogprobs: number;
  /** Fields that make the server report token ids (e.g. vLLM's `return_tokens_as_token_ids`). */
  readonly tokenIdFields: Readonly<Record<string, unknown>>;
  /** Sampler knobs sent at their "off" value (`top_k`, `min_p`, ...) unless the request sets them. */
  readonly neutralSampling: Readonly<Record<string, unknown>>;
  /** False when the server cannot stop on ids and the client cuts answers itself. */
  readonly sendStopTokens: boolean;
  /** Extra fields for a temperature (e.g. llama.cpp's `post_sampling_probs`). */
  readonly temperatureFields: (temperature: number) => Readonly<Record<string, unknown>>;
  /** Extra fields merged into every body last, so they win (e.g. vLLM's `skip_special_tokens: false`). */
  readonly extraBody: Readonly<Record<string, unknown>>;
}

/**
 * The JSON body of one `/v1/completions` call for one generation request (n = 1, so the
 * request's own seed decides its tokens whatever else is in flight). Invalid settings are a
 * `PolicyHttpError` of kind `invalid-request` naming the request index and field.
 */
export function completionsBody(
  request: GenerationRequest,
  seed: number,
  model: string,
  wire: WireFormat,
  where: string,
): Record<string, unknown> {
  const invalid = (field: string, detail: string) =>
    new PolicyHttpError(`${where}.${field}: ${detail}`, { kind: "invalid-request", url: "" });
  const prefix = Array.from(request.prefix);
  if (prefix.length === 0) throw invalid("prefix", "is empty");
  prefix.forEach((id, index) => {
    if (!Number.isSafeInteger(id) || id < 0) throw invalid(`prefix[${index}]`, `expected a token id >= 0, got ${id}`);
  });
  const { maxTokens, temperature, topP, topK, stopTokens } = request.settings;
  if (!Number.isInteger(maxTokens) || maxTokens < 1)
    throw invalid("settings.maxTokens", `must be an integer >= 1, got ${maxTokens}`);
  if (temperature !== undefined && !(temperature >= 0 && Number.isFinite(temperature))) {
    throw invalid("settings.temperature", `must be >= 0, got ${temperature}`);
  }
  if (topP !== undefined && !(topP > 0 && topP <= 1)) throw invalid("settings.topP", `must be in (0, 1], got ${topP}`);
  const stops = wire.sendStopTokens ? (stopTokens ?? []) : [];
  return {
    ...wire.neutralSampling,
    model,
    prompt: wire.prompt === "token-ids" ? prefix : wire.prompt.decode(prefix),
    max_tokens: maxTokens,
    temperature: temperature ?? 1,
    top_p: topP ?? 1,
    ...(topK !== undefined && topK > 0 ? { top_k: topK } : {}),
    ...(stops.length === 0
      ? {}
      : wire.stop === "token-ids"
        ? { stop_token_ids: [...stops] }
        : { stop: stops.map((id) => (wire.stop as TextCodec).decode([id])) }),
    seed,
    n: 1,
    logprobs: wire.topLogprobs,
    echo: false,
    stream: false,
    ...wire.tokenIdFields,
    ...wire.temperatureFields(temperature ?? 1),
    ...wire.extraBody,
  };
}
