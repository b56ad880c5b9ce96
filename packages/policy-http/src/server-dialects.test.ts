import { afterEach, describe, expect, it } from "vitest";
import { connectCompletionsPolicy } from "./connect-policy.js";
import { PolicyHttpError } from "./errors.js";
import { type FakeBehaviour, type FakeServer, startFakeServer } from "./fake-server.test-helper.js";
import { OpenAICompletionsPolicy } from "./openai-completions-policy.js";
import { RemoteTokenizer } from "./remote-tokenizer.js";
import { detectServerKind } from "./server-dialect.js";

// Answers recorded in the shapes each server's source gives them (the source is named per server).
// The llama.cpp shapes are also met live by the trainer's llama-server integration test.

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

type Routes = Record<string, (body: Record<string, unknown>) => unknown>;

async function serve(routes: Routes): Promise<FakeServer> {
  return startFakeServer((_index, body, path): FakeBehaviour => {
    const route = routes[path];
    return route === undefined
      ? { status: 404, body: { error: { message: `no route ${path}` } } }
      : { status: 200, body: route((body ?? {}) as Record<string, unknown>) };
  });
}

const bodiesAt = (fake: FakeServer, key: string) =>
  fake.bodies.filter((body) => typeof body === "object" && body !== null && key in body) as Record<string, unknown>[];

const EOS = 2;
const NEWLINE = 20;
const step = { prefix: [1, 5], settings: { maxTokens: 6, stopTokens: [NEWLINE], seed: 3 } };

describe("vLLM (vllm/entrypoints/openai/protocol.py: ModelCard, CompletionLogProbs; serving_tokenization.py)", () => {
  const routes: Routes = {
    "/v1/models": () => ({
      object: "list",
      data: [
        {
          id: "org/model",
          object: "model",
          created: 1,
          owned_by: "vllm",
          root: "org/model",
          parent: null,
          max_model_len: 2048,
          permission: [],
        },
      ],
    }),
    // return_tokens_as_token_ids: true spells tokens "token_id:<id>"; the stop token id is in the output.
    "/v1/completions": () => ({
      id: "cmpl-1",
      object: "text_completion",
      created: 1,
      model: "org/model",
      choices: [
        {
          index: 0,
          text: "3+4\n",
          logprobs: {
            text_offset: [0, 1, 2, 3],
            token_logprobs: [-0.5, -0.25, -1.5, -0.125],
            tokens: ["token_id:6", "token_id:13", "token_id:7", "token_id:20"],
            top_logprobs: null,
          },
          finish_reason: "stop",
          stop_reason: 20,
        },
      ],
      usage: { prompt_tokens: 2, total_tokens: 6, completion_tokens: 4 },
    }),
    "/tokenize": () => ({ count: 3, max_model_len: 2048, tokens: [1, 6, 13], token_strs: null }),
    "/detokenize": () => ({ prompt: "3+" }),
  };

  it("is detected from owned_by, gets neutral sampling and id stops, and reads token-id strings", async () => {
    server = await serve(routes);
    const { policy, serverKind, contextLength } = await connectCompletionsPolicy({
      baseUrl: server.baseUrl,
      eosToken: EOS,
    });
    expect([serverKind, contextLength]).toEqual(["vllm", 2048]);
    const [generation] = await policy.generate([step]);
    expect(Array.from(generation?.tokens ?? [])).toEqual([6, 13, 7, 20]);
    expect(generation?.finishReason).toBe("stop");
    const [body] = bodiesAt(server, "max_tokens");
    expect(body).toMatchObject({
      top_k: -1,
      min_p: 0,
      top_p: 1,
      repetition_penalty: 1,
      stop_token_ids: [NEWLINE],
      logprobs: 0,
      return_tokens_as_token_ids: true,
    });
    const tokenizer = new RemoteTokenizer({ baseUrl: server.baseUrl, serverKind });
    expect(Array.from(await tokenizer.encode("3+"))).toEqual([1, 6, 13]);
    expect(await tokenizer.decode([6, 13])).toBe("3+");
  });

  it("refuses temperatures other than 0 and 1, whose log-probs vLLM reports at temperature 1 by default", async () => {
    server = await serve(routes);
    const { policy } = await connectCompletionsPolicy({ baseUrl: server.baseUrl, eosToken: EOS });
    const error = await policy
      .generate([{ ...step, settings: { ...step.settings, temperature: 0.7 } }])
      .catch((reason: unknown) => reason);
    expect(PolicyHttpError.isInstance(error) && error.kind).toBe("invalid-request");
    expect((error as Error).message).toMatch(/temperature: 0.7 .*temperature-1 distribution.*--logprobs-mode/);
    expect(bodiesAt(server, "max_tokens")).toHaveLength(0);
    const processed = await connectCompletionsPolicy({
      baseUrl: server.baseUrl,
      eosToken: EOS,
      logprobTemperature: "sampling-temperature",
    });
    await processed.policy.generate([{ ...step, settings: { ...step.settings, temperature: 0.7 } }]);
    expect(bodiesAt(server, "max_tokens")[0]?.temperature).toBe(0.7);
  });
});

describe("SGLang (python/sglang/srt/entrypoints/openai/serving_completions.py, serving_tokenize.py)", () => {
  const routes: Routes = {
    "/v1/models": () => ({
      object: "list",
      data: [
        { id: "org/model", object: "model", created: 1, owned_by: "sglang", root: "org/model", max_model_len: 4096 },
      ],
    }),
    // return_token_ids puts the output ids on the choice; logprobs tokens are text (return_text_in_logprobs).
    "/v1/completions": () => ({
      id: "c",
      object: "text_completion",
      created: 1,
      model: "org/model",
      choices: [
        {
          index: 0,
          text: "3",
          logprobs: {
            text_offset: [0, 1],
            token_logprobs: [-0.75, -0.0625],
            tokens: ["3", "<eos>"],
            top_logprobs: [{ "3": -0.75, "4": -1.25 }, { "<eos>": -0.0625 }],
          },
          finish_reason: "stop",
          matched_stop: 2,
          token_ids: [6, 2],
        },
      ],
      usage: { prompt_tokens: 2, total_tokens: 4, completion_tokens: 2 },
    }),
    "/v1/tokenize": () => ({ tokens: [1, 6], count: 2, max_model_len: 4096 }),
    "/v1/detokenize": () => ({ text: "3" }),
  };

  it("asks for token_ids, reads them from the choice, and uses the /v1 tokenizer routes and `text`", async () => {
    server = await serve(routes);
    const { policy, serverKind, contextLength } = await connectCompletionsPolicy({
      baseUrl: server.baseUrl,
      eosToken: EOS,
      entropy: "top-k-lower-bound",
      topLogprobs: 2,
    });
    expect([serverKind, contextLength, policy.logprobTemperature]).toEqual(["sglang", 4096, "sampling-temperature"]);
    const [generation] = await policy.generate([{ ...step, settings: { ...step.settings, temperature: 0.5 } }]);
    expect(Array.from(generation?.tokens ?? [])).toEqual([6, 2]);
    expect(generation?.finishReason).toBe("eos");
    expect(generation?.entropies?.[1]).toBeCloseTo(0.0625 * Math.exp(-0.0625) + (1 - Math.exp(-0.0625)) * 0.0625, 12);
    expect(bodiesAt(server, "max_tokens")[0]).toMatchObject({ return_token_ids: true, top_k: -1, min_p: 0 });
    const tokenizer = new RemoteTokenizer({ baseUrl: server.baseUrl, serverKind });
    expect(Array.from(await tokenizer.encode("3"))).toEqual([1, 6]);
    expect(await tokenizer.decode([6])).toBe("3");
  });
});

describe("llama.cpp (tools/server/server-context.cpp get_res_model_info, post_tokenize; server-task.cpp)", () => {
  const entry = (id: number, token: string, logprob: number) => ({
    id,
    token,
    bytes: Array.from(Buffer.from(token)),
    logprob,
    top_logprobs: [{ id, token, bytes: Array.from(Buffer.from(token)), logprob }],
  });
  const routes: Routes = {
    "/v1/models": () => ({
      object: "list",
      data: [
        {
          id: "countdown.gguf",
          aliases: [],
          tags: [],
          object: "model",
          created: 1,
          owned_by: "llamacpp",
          // A slot context above the trained one (asked for with -c 256): positions stop at 40.
          meta: { vocab_type: 1, n_vocab: 21, n_ctx: 256, n_ctx_train: 40, n_embd: 64, n_params: 1, size: 1 },
        },
      ],
    }),
    // No stop_token_ids in llama.cpp: the client sends no stops and cuts after the first one.
    "/v1/completions": () => ({
      choices: [
        {
          text: "3\n4",
          index: 0,
          logprobs: { content: [entry(6, "3", -0.5), entry(NEWLINE, "\n", -0.25), entry(7, "4", -1)] },
          finish_reason: "length",
        },
      ],
      created: 1,
      model: "countdown.gguf",
      object: "text_completion",
      usage: { completion_tokens: 3, prompt_tokens: 2, total_tokens: 5 },
      id: "chatcmpl-1",
    }),
    "/tokenize": (body) => ({ tokens: typeof body.content === "string" ? [1, 6] : [] }),
    "/detokenize": () => ({ content: "3" }),
  };

  it("reads content[] ids, cuts at the stop token client-side, sends neutral sampling and logprobs >= 1", async () => {
    server = await serve(routes);
    const { policy, serverKind, contextLength } = await connectCompletionsPolicy({
      baseUrl: server.baseUrl,
      eosToken: EOS,
    });
    expect([serverKind, contextLength]).toEqual(["llama.cpp", 40]);
    const [generation] = await policy.generate([step]);
    expect(Array.from(generation?.tokens ?? [])).toEqual([6, NEWLINE]);
    expect(Array.from(generation?.logprobs ?? [])).toEqual([-0.5, -0.25]);
    expect(generation?.finishReason).toBe("stop");
    const [body] = bodiesAt(server, "max_tokens");
    expect(body).toMatchObject({ top_k: 0, min_p: 0, top_p: 1, typical_p: 1, repeat_penalty: 1, logprobs: 1 });
    expect(body).not.toHaveProperty("stop_token_ids");
    expect(body).not.toHaveProperty("post_sampling_probs");
    const tokenizer = new RemoteTokenizer({ baseUrl: server.baseUrl, serverKind });
    expect(Array.from(await tokenizer.encode("3"))).toEqual([1, 6]);
    expect(bodiesAt(server, "content")[0]).toMatchObject({ content: "3", add_special: true });
    expect(await tokenizer.decode([6])).toBe("3");
  });

  it("asks for post-sampling probabilities away from temperature 1 and reads `prob`", async () => {
    server = await startFakeServer(() => ({
      status: 200,
      body: {
        choices: [
          {
            index: 0,
            text: "",
            finish_reason: "stop",
            logprobs: {
              content: [{ id: EOS, token: "<eos>", bytes: [], prob: 0.5, top_probs: [{ id: EOS, prob: 0.5 }] }],
            },
          },
        ],
      },
    }));
    const policy = new OpenAICompletionsPolicy({
      baseUrl: server.baseUrl,
      model: "m",
      eosToken: EOS,
      serverKind: "llama.cpp",
    });
    const [generation] = await policy.generate([{ prefix: [1], settings: { maxTokens: 2, temperature: 0.6 } }]);
    expect(generation?.logprobs[0]).toBeCloseTo(Math.log(0.5), 12);
    expect(generation?.finishReason).toBe("eos");
    expect(server.bodies.at(-1)).toMatchObject({ post_sampling_probs: true, temperature: 0.6 });
  });

  it("rejects an empty token list for non-empty text (a server that read another field)", async () => {
    server = await serve(routes);
    const tokenizer = new RemoteTokenizer({ baseUrl: server.baseUrl, serverKind: "vllm" });
    const error = await tokenizer.encode("3").catch((reason: unknown) => reason);
    expect(PolicyHttpError.isInstance(error) && error.kind).toBe("malformed");
    expect((error as Error).message).toMatch(/returned no tokens for "3".*another field than prompt/);
  });
});

describe("detectServerKind and deterministic errors", () => {
  it("names the kind from the model card", () => {
    expect(detectServerKind({ id: "a", ibtpo: { eos_token_id: 2 } })).toBe("ibtpo");
    expect(detectServerKind({ id: "a", owned_by: "llamacpp" })).toBe("llama.cpp");
    expect(detectServerKind({ id: "a", owned_by: "vllm" })).toBe("vllm");
    expect(detectServerKind({ id: "a", owned_by: "sglang" })).toBe("sglang");
    expect(detectServerKind({ id: "a", owned_by: "openai" })).toBe("openai");
  });

  it("does not retry a 5xx whose error type says the request is invalid, nor a 501", async () => {
    server = await startFakeServer((index) =>
      index === 0
        ? {
            status: 500,
            body: { error: { code: 500, message: "prompt too long", type: "invalid_request_error" } },
          }
        : { status: 501, body: { error: { code: 501, message: "not supported", type: "not_supported_error" } } },
    );
    const policy = new OpenAICompletionsPolicy({
      baseUrl: server.baseUrl,
      model: "m",
      eosToken: EOS,
      retry: { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 2 },
    });
    for (const status of [500, 501]) {
      const error = await policy.generate([step]).catch((reason: unknown) => reason);
      expect(PolicyHttpError.isInstance(error) && [error.statusCode, error.isRetryable, error.attempts]).toEqual([
        status,
        false,
        1,
      ]);
    }
    expect(server.bodies).toHaveLength(2);
  });
});
