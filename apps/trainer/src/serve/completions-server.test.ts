import { OpenAICompletionsPolicy } from "@ibtpo/policy-http";
import { loadCheckpoint, TfjsPolicy } from "@ibtpo/policy-tfjs";
import type { Generation, GenerationRequest } from "@ibtpo/tree-sampler";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTinyServe, type TinyServe } from "./tiny-checkpoint.test-helper.js";

let tiny: TinyServe;
beforeAll(async () => {
  tiny = await startTinyServe();
});
afterAll(async () => {
  await tiny.stop();
});

const post = (path: string, body: unknown) =>
  fetch(`${tiny.server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("ibtpo serve", () => {
  it("gives the HTTP policy the same tokens, log-probs and entropies as the in-process policy", async () => {
    const { tokenizer } = tiny.served.model;
    const { model } = await loadCheckpoint(tiny.directory);
    const local = TfjsPolicy.fromTokenizer(model, tokenizer);
    const remote = (maxConcurrency: number) =>
      new OpenAICompletionsPolicy({
        baseUrl: tiny.server.url,
        model: tiny.served.model.id,
        eosToken: tokenizer.eosId,
        stepDelimiter: tokenizer.stepDelimiterId,
        entropy: "server",
        maxConcurrency,
      });
    const prompts = ["1+2=", "7+8=", "12="].map((text) => tokenizer.encode(text, { bos: true }));
    const requests: GenerationRequest[] = prompts.flatMap((prefix, index) => [
      { prefix, settings: { maxTokens: 12, temperature: 1, seed: 100 + index } },
      {
        prefix,
        settings: {
          maxTokens: 12,
          temperature: 0.7,
          topP: 0.9,
          seed: 200 + index,
          stopTokens: [tokenizer.stepDelimiterId],
        },
      },
      { prefix, settings: { maxTokens: 6, temperature: 0, seed: 300 + index } },
      { prefix, settings: { maxTokens: 12, temperature: 1.3, topK: 5, seed: 400 + index } },
    ]);
    // One request per call on both sides: the same float32 computation, so every number must survive HTTP exactly.
    const expected: Generation[] = [];
    for (const request of requests) expected.push(...(await local.generate([request])));
    const sequential = await remote(1).generate(requests);
    // Concurrent requests share server batches of other shapes (other left padding): tokens stay
    // identical, log-probs and entropies agree to float32 rounding.
    const concurrent = await remote(8).generate(requests);
    model.dispose();
    expect(sequential).toHaveLength(expected.length);
    sequential.forEach((generation, index) => {
      const reference = expected[index];
      expect(Array.from(generation.tokens), `request ${index}`).toEqual(Array.from(reference?.tokens ?? []));
      expect(Array.from(generation.logprobs), `request ${index}`).toEqual(Array.from(reference?.logprobs ?? []));
      expect(Array.from(generation.entropies ?? []), `request ${index}`).toEqual(
        Array.from(reference?.entropies ?? []),
      );
      expect(generation.finishReason, `request ${index}`).toBe(reference?.finishReason);
      const batched = concurrent[index];
      expect(Array.from(batched?.tokens ?? []), `batched request ${index}`).toEqual(Array.from(generation.tokens));
      for (const [position, logprob] of (batched?.logprobs ?? []).entries()) {
        expect(logprob).toBeCloseTo(generation.logprobs[position] ?? 0, 5);
      }
    });
    const reasons = new Set(sequential.map((generation) => generation.finishReason));
    expect(reasons.has("length")).toBe(true);
    expect(reasons.size).toBeGreaterThan(1);
  });

  it("returns top log-probs from which the client bounds the entropy: exact at k = vocabulary, below at k = 2", async () => {
    const { tokenizer, vocabSize } = tiny.served.model;
    const policy = (entropy: "server" | "top-k-lower-bound", topLogprobs?: number) =>
      new OpenAICompletionsPolicy({
        baseUrl: tiny.server.url,
        model: tiny.served.model.id,
        eosToken: tokenizer.eosId,
        entropy,
        ...(topLogprobs === undefined ? {} : { topLogprobs }),
      });
    const requests: GenerationRequest[] = ["1+2=", "9="].flatMap((text, index) => [
      { prefix: tokenizer.encode(text, { bos: true }), settings: { maxTokens: 10, temperature: 1, seed: 10 + index } },
      {
        prefix: tokenizer.encode(text, { bos: true }),
        settings: { maxTokens: 10, temperature: 0.6, seed: 20 + index },
      },
    ]);
    const exact = await policy("server").generate(requests);
    const full = await policy("top-k-lower-bound", vocabSize).generate(requests);
    const partial = await policy("top-k-lower-bound", 2).generate(requests);
    let strictlyBelow = 0;
    exact.forEach((generation, index) => {
      expect(Array.from(full[index]?.tokens ?? [])).toEqual(Array.from(generation.tokens));
      generation.entropies?.forEach((entropy, position) => {
        expect(full[index]?.entropies?.[position]).toBeCloseTo(entropy, 5);
        const bound = partial[index]?.entropies?.[position] ?? Number.NaN;
        expect(bound).toBeLessThanOrEqual(entropy + 1e-5);
        expect(bound).toBeGreaterThan(0);
        if (bound < entropy - 1e-3) strictlyBelow++;
      });
    });
    expect(strictlyBelow).toBeGreaterThan(0);
  });

  it("answers the official openai client", async () => {
    const client = new OpenAI({ baseURL: `${tiny.server.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual([tiny.served.model.id]);
    const completion = await client.completions.create({
      model: tiny.served.model.id,
      prompt: "3+4=",
      max_tokens: 8,
      temperature: 0.8,
      logprobs: 0,
      seed: 5,
    });
    const choice = completion.choices[0];
    const logprobs = choice?.logprobs;
    expect(logprobs?.tokens?.length).toBeGreaterThan(0);
    expect(logprobs?.token_logprobs).toHaveLength(logprobs?.tokens?.length ?? -1);
    expect(logprobs?.token_logprobs?.every((value) => value <= 0)).toBe(true);
    expect(choice?.text).toBe(
      tiny.served.model.tokenizer.decode(tiny.served.model.tokenizer.encode(choice?.text ?? "")),
    );
    expect(completion.usage?.prompt_tokens).toBe(5);
    const withTop = await client.completions.create({
      model: tiny.served.model.id,
      prompt: [1, 4, 5],
      max_tokens: 4,
      logprobs: 3,
      seed: 5,
    });
    const top = withTop.choices[0]?.logprobs;
    top?.top_logprobs?.forEach((entries, position) => {
      const token = top.tokens?.[position] ?? "";
      expect(Object.keys(entries).length).toBeGreaterThanOrEqual(3);
      expect(entries[token]).toBeCloseTo(top.token_logprobs?.[position] ?? 0, 5);
    });
    const bad = await client.completions.create({ model: tiny.served.model.id, prompt: "1", max_tokens: 0 }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect((bad as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(
      /max_tokens: must be an integer >= 1, got 0/,
    );
  });

  it.each([
    [{ prompt: [1, 4] }, 400, "model: must be a string"],
    [{ model: "other", prompt: [1, 4] }, 404, 'model: "other" does not exist'],
    [{ prompt: [1, 99] }, 400, "prompt[1]: 99 is not a token id of this model"],
    [{ prompt: "1+x" }, 400, 'prompt: text index 2: cannot encode "x"'],
    [{ prompt: [[1, 4], []] }, 400, "prompt[1]: is empty"],
    [{ prompt: [1], temperature: -1 }, 400, "temperature: must be a number >= 0, got -1"],
    [{ prompt: [1], top_p: 0 }, 400, "top_p: must be a number in (0, 1], got 0"],
    [{ prompt: [1], n: 0 }, 400, "n: must be an integer in [1, 128], got 0"],
    [{ prompt: [1], logprobs: 17 }, 400, "logprobs: must be an integer in [0, 16] (the vocabulary size), got 17"],
    [{ prompt: [1], stop: ["12"] }, 400, 'stop[0]: "12" is not one token'],
    [{ prompt: [1], stream: true }, 400, "stream: only false is supported"],
    [{ prompt: [1], seed: 1.5 }, 400, "seed: must be an integer"],
  ])("rejects %j with %i naming the field", async (fields, status, message) => {
    const body = "model" in fields ? fields : { model: tiny.served.model.id, ...fields };
    const response = await post(
      "/v1/completions",
      "prompt" in fields && !("model" in fields) && message.startsWith("model:") ? { prompt: fields.prompt } : body,
    );
    expect(response.status).toBe(status);
    const json = (await response.json()) as { error: { message: string; type: string; param: string | null } };
    expect(json.error.message).toContain(message);
    expect(json.error.type).toBe(status === 404 ? "not_found_error" : "invalid_request_error");
  });

  it("answers n choices per prompt, prompt-major, the first equal to n = 1 with the same seed", async () => {
    const request = {
      model: tiny.served.model.id,
      prompt: [
        [1, 4],
        [1, 5],
      ],
      max_tokens: 6,
      seed: 9,
      logprobs: 0,
      return_tokens_as_token_ids: true,
    };
    const many = (await (await post("/v1/completions", { ...request, n: 3 })).json()) as {
      choices: { logprobs: { tokens: string[] } }[];
    };
    const one = (await (await post("/v1/completions", { ...request, prompt: [1, 5], n: 1 })).json()) as {
      choices: { logprobs: { tokens: string[] } }[];
    };
    expect(many.choices).toHaveLength(6);
    expect(many.choices[3]?.logprobs.tokens).toEqual(one.choices[0]?.logprobs.tokens);
    expect(many.choices[0]?.logprobs.tokens[0]).toMatch(/^token_id:\d+$/);
  });

  it("batches concurrent requests into fewer generate calls", async () => {
    // A policy that takes 50 ms per call, so requests that arrive meanwhile must queue for the next one.
    const slow = await startTinyServe({
      wrapPolicy: (policy) => ({
        name: policy.name,
        eosToken: policy.eosToken,
        providesEntropies: policy.providesEntropies,
        generate: async (requests, options) => {
          await new Promise((resolve) => setTimeout(resolve, 50));
          return policy.generate(requests, options);
        },
      }),
    });
    try {
      const body = { model: slow.served.model.id, prompt: [1, 4], max_tokens: 4 };
      const send = (seed: number) =>
        fetch(`${slow.server.url}/v1/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ ...body, seed }),
        });
      const responses = await Promise.all(Array.from({ length: 16 }, (_, seed) => send(seed)));
      expect(responses.every((response) => response.status === 200)).toBe(true);
      const { calls, rows } = slow.server.batcher.stats;
      expect(rows).toBe(16);
      expect(calls).toBeLessThanOrEqual(4);
    } finally {
      await slow.stop();
    }
  });

  it("tokenizes and detokenizes like vLLM", async () => {
    const tokens = (await (await post("/tokenize", { prompt: "1+2=" })).json()) as { tokens: number[]; count: number };
    expect(tokens.tokens[0]).toBe(tiny.served.model.tokenizer.bosId);
    expect(tokens.count).toBe(5);
    const text = (await (await post("/detokenize", { tokens: tokens.tokens })).json()) as { prompt: string };
    expect(text.prompt).toBe("1+2=");
  });
});

describe("ibtpo serve shutdown", () => {
  it("finishes in-flight requests, then refuses new connections", async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = () => {};
    const generating = new Promise<void>((resolve) => {
      started = resolve;
    });
    const other = await startTinyServe({
      wrapPolicy: (policy) => ({
        ...policy,
        name: policy.name,
        eosToken: policy.eosToken,
        providesEntropies: policy.providesEntropies,
        generate: async (requests, options) => {
          started();
          await gate;
          return policy.generate(requests, options);
        },
      }),
    });
    const body = JSON.stringify({ model: other.served.model.id, prompt: [1, 4], max_tokens: 8, seed: 1 });
    const inFlight = fetch(`${other.server.url}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    await generating;
    const url = other.server.url;
    const stopped = other.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(fetch(`${url}/health`)).rejects.toThrow(/fetch failed/);
    release();
    expect((await inFlight).status).toBe(200);
    await stopped;
  });
});
