import { deriveSeedMurmur3, type Sfc32 } from "@ibtpo/random";
import type { GenerationRequest } from "@ibtpo/tree-sampler";
import { completionResponse } from "./completion-response.js";
import type { ClientKey, GenerationBatcher } from "./generation-batcher.js";
import { OpenAIRequestError } from "./openai-error.js";
import { type CompletionRequest, parseCompletionRequest } from "./parse-completion-request.js";
import { DEFAULT_SERVE_LIMITS, type ServeLimits } from "./serve-limits.js";
import type { ServedModel } from "./served-model.js";
import type { TokenLogprob } from "./top-logprobs.js";

/** The top-k next tokens at each generated position of one generation (see `topLogprobs`). */
export type TopLogprobsFunction = (
  prefix: Int32Array,
  tokens: Int32Array,
  temperature: number,
  k: number,
) => TokenLogprob[][];

/** The generation requests of a completion request: prompt-major, then choice, each with its own seed. */
function generationRequests(request: CompletionRequest, seeds: Sfc32): GenerationRequest[] {
  return request.prompts.flatMap((prefix) => {
    const seed = request.seed ?? seeds.nextUint32();
    return Array.from({ length: request.n }, (_, choice) => ({
      prefix,
      settings: {
        maxTokens: request.maxTokens,
        temperature: request.temperature,
        topP: request.topP,
        topK: request.topK,
        stopTokens: request.stopTokens,
        // Choice 0 uses the seed itself, so n = 1 and the first of n choices agree.
        seed: choice === 0 ? seed : deriveSeedMurmur3(seed, choice),
      },
    }));
  });
}

/** Refuse rows the queue cannot take now: 429 when this client already waits for many, 503 when the server does. */
function admit(batcher: GenerationBatcher, client: ClientKey, rows: number, limits: ServeLimits): void {
  const mine = batcher.queuedOf(client);
  if (mine + rows > limits.maxQueuedRowsPerClient) {
    throw new OpenAIRequestError(
      429,
      `this client already has ${mine} rows queued; ${rows} more would pass the limit of ${limits.maxQueuedRowsPerClient} per client; retry when its earlier requests finish`,
      null,
      "rate_limit_exceeded",
    );
  }
  if (batcher.queued + rows > limits.maxQueuedRows) {
    throw new OpenAIRequestError(
      503,
      `the server is overloaded (${batcher.queued} rows queued, limit ${limits.maxQueuedRows}); retry later`,
      null,
      "server_overloaded",
    );
  }
}

/**
 * `POST /v1/completions` without the HTTP: validate the body against the per-request limits,
 * admit its rows to the queue (429/503 when full), queue them on the batcher under `client`, and
 * build the answer (with top log-probs when asked and available).
 *
 * @example
 * const complete = completionHandler({ batcher, model, seeds: new Sfc32(0) });
 * const answer = await complete({ model: "tiny", prompt: [1, 4], max_tokens: 8, logprobs: 0 });
 */
export function completionHandler(context: {
  readonly batcher: GenerationBatcher;
  readonly model: ServedModel;
  readonly seeds: Sfc32;
  readonly topLogprobs?: TopLogprobsFunction;
  /** Default {@link DEFAULT_SERVE_LIMITS}. */
  readonly limits?: ServeLimits;
}) {
  const { batcher, model, seeds, topLogprobs } = context;
  const limits = context.limits ?? DEFAULT_SERVE_LIMITS;
  const created = Math.floor(Date.now() / 1000);
  let counter = 0;
  return async (body: unknown, signal?: AbortSignal, client: ClientKey = Symbol("client")) => {
    const parsed = parseCompletionRequest(body, model, topLogprobs === undefined ? 0 : model.vocabSize, limits);
    const requests = generationRequests(parsed, seeds);
    admit(batcher, client, requests.length, limits);
    const generations = await batcher.generate(requests, signal, client);
    const k = parsed.logprobs ?? 0;
    const tops =
      k > 0 && topLogprobs !== undefined
        ? generations.map((generation, index) =>
            topLogprobs(requests[index]?.prefix as Int32Array, generation.tokens, parsed.temperature, k),
          )
        : null;
    const id = `cmpl-${created}-${counter++}`;
    return completionResponse(parsed, generations, model, id, Math.floor(Date.now() / 1000), tops);
  };
}
