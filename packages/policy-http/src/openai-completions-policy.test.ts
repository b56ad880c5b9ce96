import type { Generation } from "@ibtpo/tree-sampler";
import { afterEach, describe, expect, it } from "vitest";
import { PolicyHttpError } from "./errors.js";
import { completion, type FakeServer, startFakeServer } from "./fake-server.test-helper.js";
import { OpenAICompletionsPolicy, type OpenAICompletionsPolicyOptions } from "./openai-completions-policy.js";

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const EOS = 2;
const fastRetry = { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20, seed: 1 };

function policyFor(fake: FakeServer, options: Partial<OpenAICompletionsPolicyOptions> = {}) {
  return new OpenAICompletionsPolicy({
    baseUrl: `${fake.baseUrl}/v1/`,
    model: "tiny",
    eosToken: EOS,
    retry: fastRetry,
    timeoutMs: 2000,
    ...options,
  });
}

const request = {
  prefix: [1, 5, 6],
  settings: { maxTokens: 4, temperature: 0.7, topP: 0.9, stopTokens: [9], seed: 11 },
};

async function failure(promise: Promise<unknown>): Promise<PolicyHttpError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  if (!PolicyHttpError.isInstance(error)) throw new Error(`expected a PolicyHttpError, got ${String(error)}`);
  return error;
}

describe("OpenAICompletionsPolicy", () => {
  it("sends one n=1 request per generation with ids, seed and stop ids, and reads tokens and log-probs back", async () => {
    server = await startFakeServer(() => ({ status: 200, body: completion([7, 9], [-0.5, -1.25], "stop") }));
    const [generation] = await policyFor(server).generate([request]);
    expect(server.bodies).toEqual([
      {
        model: "tiny",
        prompt: [1, 5, 6],
        max_tokens: 4,
        temperature: 0.7,
        top_p: 0.9,
        top_k: 0,
        min_p: 0,
        stop_token_ids: [9],
        seed: 11,
        n: 1,
        logprobs: 0,
        echo: false,
        stream: false,
        return_tokens_as_token_ids: true,
      },
    ]);
    expect(Array.from(generation?.tokens ?? [])).toEqual([7, 9]);
    expect(Array.from(generation?.logprobs ?? [])).toEqual([-0.5, -1.25]);
    expect(generation?.entropies).toBeNull();
    expect(generation?.finishReason).toBe("stop");
  });

  it("derives a reproducible seed for requests without one", async () => {
    server = await startFakeServer(() => ({ status: 200, body: completion([EOS], [-0.1], "stop") }));
    const unseeded = { prefix: [1], settings: { maxTokens: 2 } };
    await policyFor(server, { seed: 5 }).generate([unseeded, unseeded]);
    await policyFor(server, { seed: 5 }).generate([unseeded, unseeded]);
    const seeds = server.bodies.map((body) => (body as { seed: number }).seed);
    expect(seeds[0]).not.toBe(seeds[1]);
    expect(seeds.slice(2)).toEqual(seeds.slice(0, 2));
  });

  it("retries 500s and succeeds when the server recovers", async () => {
    server = await startFakeServer((index) =>
      index < 2
        ? { status: 500, body: { error: { message: "engine overloaded" } } }
        : { status: 200, body: completion([EOS], [-0.2], "stop") },
    );
    const [generation] = await policyFor(server).generate([request]);
    expect(generation?.finishReason).toBe("eos");
    expect(server.bodies).toHaveLength(3);
  });

  it("gives up after maxAttempts on 500 with a retryable error naming status, server message and attempts", async () => {
    server = await startFakeServer(() => ({ status: 500, body: { error: { message: "engine overloaded" } } }));
    const error = await failure(policyFor(server).generate([request]));
    expect(error.kind).toBe("http");
    expect(error.statusCode).toBe(500);
    expect(error.isRetryable).toBe(true);
    expect(error.attempts).toBe(3);
    expect(error.message).toMatch(/500: engine overloaded .*gave up after 3 attempts/);
    expect(server.bodies).toHaveLength(3);
  });

  it("does not retry a 400", async () => {
    server = await startFakeServer(() => ({ status: 400, body: { error: { message: "max_tokens must be >= 1" } } }));
    const error = await failure(policyFor(server).generate([request]));
    expect([error.statusCode, error.isRetryable, error.attempts]).toEqual([400, false, 1]);
    expect(server.bodies).toHaveLength(1);
  });

  it("honours Retry-After on 429", async () => {
    server = await startFakeServer((index) =>
      index === 0
        ? { status: 429, body: { error: { message: "slow down" } }, headers: { "retry-after": "0.15" } }
        : { status: 200, body: completion([EOS], [-0.2], "stop") },
    );
    const started = performance.now();
    await policyFor(server, { retry: { ...fastRetry, maxDelayMs: 1000 } }).generate([request]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("retries a stalled request after the timeout, then reports a timeout", async () => {
    server = await startFakeServer(() => ({ stall: true }));
    const error = await failure(policyFor(server, { timeoutMs: 100 }).generate([request]));
    expect(error.kind).toBe("timeout");
    expect(error.attempts).toBe(3);
    expect(error.message).toMatch(/within 100 ms .*gave up after 3 attempts/);
    expect(server.bodies).toHaveLength(3);
  });

  it("retries dropped connections, then reports a connection error", async () => {
    server = await startFakeServer(() => ({ drop: true }));
    const error = await failure(policyFor(server).generate([request]));
    expect(error.kind).toBe("connection");
    expect(error.isRetryable).toBe(true);
    expect(error.attempts).toBe(3);
    expect(error.message).toMatch(/the connection failed before an answer: .*other side closed/);
    expect(server.bodies).toHaveLength(3);
  });

  it("reports a refused connection with the socket error", async () => {
    const fake = await startFakeServer(() => ({ drop: true }));
    await fake.close();
    const error = await failure(policyFor(fake, { retry: { ...fastRetry, maxAttempts: 2 } }).generate([request]));
    expect(error.kind).toBe("connection");
    expect(error.message).toMatch(
      /cannot reach the server: connect ECONNREFUSED 127\.0\.0\.1:\d+ .*gave up after 2 attempts/,
    );
  });

  it("fails clearly, without retrying, when the server returns no log-probs", async () => {
    const body = completion([EOS], [-0.2], "stop") as { choices: { logprobs: unknown }[] };
    (body.choices[0] as { logprobs: unknown }).logprobs = null;
    server = await startFakeServer(() => ({ status: 200, body }));
    const error = await failure(policyFor(server).generate([request]));
    expect(error.kind).toBe("missing-logprobs");
    expect(error.isRetryable).toBe(false);
    expect(error.message).toMatch(/choices\[0\]\.logprobs: the server returned no per-token log-probs/);
    expect(server.bodies).toHaveLength(1);
  });

  it("keeps at most maxConcurrency requests in flight", async () => {
    server = await startFakeServer(async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { status: 200, body: completion([EOS], [-0.2], "stop") };
    });
    const generations = await policyFor(server, { maxConcurrency: 3 }).generate(
      Array.from({ length: 10 }, () => request),
    );
    expect(generations).toHaveLength(10);
    expect(server.maxInFlight()).toBe(3);
  });

  it("cancels in-flight and queued requests when the signal aborts", async () => {
    server = await startFakeServer(() => ({ stall: true }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("user stop")), 300);
    const started = performance.now();
    const error = await failure(
      policyFor(server, { maxConcurrency: 2, timeoutMs: 10_000 }).generate([request, request, request], {
        signal: controller.signal,
      }),
    );
    expect(error.kind).toBe("aborted");
    expect(performance.now() - started).toBeLessThan(2000);
    expect(server.bodies).toHaveLength(2);
  });

  it("aborts the rest of a call once one request fails for good", async () => {
    server = await startFakeServer((index) =>
      index === 0 ? { status: 400, body: { error: { message: "bad prompt" } } } : { stall: true },
    );
    const error = await failure(policyFor(server, { timeoutMs: 10_000 }).generate([request, request]));
    expect(error.statusCode).toBe(400);
  });
});

describe("OpenAICompletionsPolicy.decodeContinuously", () => {
  it("sends a request the feed returns while earlier ones are still in flight, and reports each as it completes", async () => {
    let followUpArrived: () => void = () => {};
    const followUp = new Promise<void>((resolve) => {
      followUpArrived = resolve;
    });
    server = await startFakeServer(async (_index, body) => {
      const prompt = (body as { prompt: number[] }).prompt;
      // The slow request answers only once the follow-up of the fast one has reached the server.
      if (prompt[1] === 5) await followUp;
      if (prompt.length === 4) followUpArrived();
      return { status: 200, body: completion([prompt.length + 3, EOS], [-0.5, -0.25], "stop") };
    });
    const policy = policyFor(server);
    const slow = request;
    const fast = { prefix: [1, 7], settings: { ...request.settings, seed: 12 } };
    const heard: number[][] = [];
    const generations: Generation[] = [];
    await policy.decodeContinuously((finished) => {
      heard.push(finished.map(({ request: number }) => number));
      for (const { request: number, generation } of finished) generations[number] = generation;
      if (heard.length === 1) return [slow, fast];
      // Request 1 (fast) finished: continue its prefix with its first token.
      if (finished[0]?.request === 1) return [{ prefix: [1, 7, 5, 3], settings: { ...fast.settings, maxTokens: 2 } }];
      return [];
    });
    expect(heard).toEqual([[], [1], [2], [0]]);
    expect(generations.map((generation) => Array.from(generation.tokens))).toEqual([
      [6, EOS],
      [5, EOS],
      [7, EOS],
    ]);
    const [alone] = await policy.generate([slow]);
    expect(server.bodies.at(-1)).toEqual(server.bodies[0]);
    expect(Array.from(alone!.tokens)).toEqual([6, EOS]);
  });

  it("cancels the requests in flight when one fails for good", async () => {
    server = await startFakeServer((_index, body) =>
      (body as { prompt: number[] }).prompt[1] === 5
        ? { stall: true }
        : { status: 400, body: { error: { message: "bad request" } } },
    );
    const policy = policyFor(server);
    const feed = (finished: readonly unknown[]) =>
      finished.length === 0 && server!.bodies.length === 0
        ? [request, { prefix: [1, 7], settings: request.settings }]
        : [];
    const error = await failure(policy.decodeContinuously(feed));
    expect(error.kind).toBe("http");
    expect(error.message).toMatch(/400/);
  });
});
