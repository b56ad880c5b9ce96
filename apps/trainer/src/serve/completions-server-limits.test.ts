import { connect } from "node:net";
import type { Generation, GenerationRequest, Policy } from "@ibtpo/tree-sampler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTinyServe, type TinyServe } from "./tiny-checkpoint.test-helper.js";

/** A policy wrapper that records each `generate` call's prefixes and can hold calls back. */
class Gate {
  readonly batches: number[][][] = [];
  private release: (() => void) | null = null;
  private held: Promise<void> | null = null;

  wrap = (policy: Policy): Policy => ({
    ...policy,
    generate: async (requests: readonly GenerationRequest[]): Promise<Generation[]> => {
      this.batches.push(requests.map((request) => Array.from(request.prefix)));
      if (this.held !== null) await this.held;
      return policy.generate(requests);
    },
  });

  hold(): void {
    this.held = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  open(): void {
    this.release?.();
    this.held = null;
  }
}

const gate = new Gate();
let tiny: TinyServe;
beforeAll(async () => {
  tiny = await startTinyServe({
    wrapPolicy: gate.wrap,
    maxBatchSize: 4,
    limits: {
      maxRowsPerRequest: 32,
      maxTokensPerRequest: 200,
      maxQueuedRowsPerClient: 6,
      maxQueuedRows: 12,
      maxBodyBytes: 64 * 1024,
      headersTimeoutMs: 1000,
      requestTimeoutMs: 1500,
    },
  });
});
afterAll(async () => {
  gate.open();
  await tiny.stop();
});

const completion = (prompt: unknown, extra: Record<string, unknown> = {}) => ({
  model: tiny.served.model.id,
  prompt,
  max_tokens: 2,
  seed: 1,
  ...extra,
});

const post = (body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(`${tiny.server.url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  });

const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { message: string; param: string | null; code: string | null } }).error;

const queued = async () => ((await (await fetch(`${tiny.server.url}/health`)).json()) as { queued: number }).queued;

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met within 5 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Send raw bytes on a fresh connection and collect what the server answers until it closes. */
function rawExchange(parts: readonly { text: string; afterMs: number }[]): Promise<{ text: string; ms: number }> {
  const url = new URL(tiny.server.url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(url.port), url.hostname);
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString();
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve({ text, ms: Date.now() - started }));
    for (const part of parts) setTimeout(() => socket.writable && socket.write(part.text), part.afterMs);
    setTimeout(() => reject(new Error("the server kept the connection open")), 8000).unref();
  });
}

describe("ibtpo serve refuses work above its limits", () => {
  it("answers 400 naming the limit for too many prompts x n, before tokenizing them", async () => {
    const prompts = Array.from({ length: 2000 }, () => "1+2=");
    const started = Date.now();
    const response = await post(completion(prompts, { n: 128 }));
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe("too_many_rows");
    expect(error.message).toContain("256000 rows (prompts x n) exceed this server's limit of 32");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await queued()).toBe(0);
  });

  it("answers 400 for too many generated tokens per request", async () => {
    const response = await post(completion([[1, 4]], { n: 30, max_tokens: 40 }));
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.param).toBe("max_tokens");
    expect(error.message).toContain("above this server's limit of 200 per request");
  });

  it("answers 413 for a body above the byte limit", async () => {
    const response = await post(completion("1".repeat(70 * 1024)));
    expect(response.status).toBe(413);
    expect((await errorOf(response)).message).toContain("larger than 65536 bytes");
  });

  it("answers 431, readable by the client, for a 200 KB header", async () => {
    const response = await fetch(`${tiny.server.url}/health`, { headers: { "x-padding": "a".repeat(200_000) } });
    expect(response.status).toBe(431);
    expect((await errorOf(response)).message).toContain("header fields too large");
  });

  it("answers 429 to a client over its queued rows and 503 when the server is full, with retry-after", async () => {
    gate.hold();
    const batchesBefore = gate.batches.length;
    const blocker = post(completion([[1, 2]]), { authorization: "Bearer blocker" });
    await waitFor(async () => gate.batches.length > batchesBefore);
    const first = post(completion([[1, 3]], { n: 5 }), { authorization: "Bearer flood" });
    await waitFor(async () => (await queued()) === 5);
    const second = await post(completion([[1, 3]], { n: 2 }), { authorization: "Bearer flood" });
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBe("1");
    expect((await errorOf(second)).message).toContain("this client already has 5 rows queued");
    const others = [1, 2].map((index) =>
      post(completion([[1, 3]], { n: 3 }), { authorization: `Bearer other${index}` }),
    );
    await waitFor(async () => (await queued()) === 11);
    const full = await post(completion([[1, 3]], { n: 2 }));
    expect(full.status).toBe(503);
    expect((await errorOf(full)).message).toContain("the server is overloaded (11 rows queued, limit 12)");
    gate.open();
    for (const response of await Promise.all([blocker, first, ...others])) expect(response.status).toBe(200);
  });

  it("frees the queued rows of a client that goes away", async () => {
    gate.hold();
    const batchesBefore = gate.batches.length;
    const blocker = post(completion([[1, 2]]));
    await waitFor(async () => gate.batches.length > batchesBefore);
    const abort = new AbortController();
    const leaving = post(completion([[1, 3]], { n: 6 }), {}, abort.signal).catch((error: Error) => error);
    await waitFor(async () => (await queued()) === 6);
    abort.abort();
    expect(await leaving).toBeInstanceOf(Error);
    await waitFor(async () => (await queued()) === 0);
    gate.open();
    expect((await blocker).status).toBe(200);
  });

  it("serves clients in turn: a small request waits for one batch, not for a large one", async () => {
    gate.hold();
    const batchesBefore = gate.batches.length;
    const blocker = post(completion([[1, 2]]));
    await waitFor(async () => gate.batches.length > batchesBefore);
    const large = post(completion([[1, 5]], { n: 6 }), { authorization: "Bearer large" });
    await waitFor(async () => (await queued()) === 6);
    const small = post(completion([[1, 6]]), { authorization: "Bearer small" });
    await waitFor(async () => (await queued()) === 7);
    gate.open();
    expect((await Promise.all([blocker, large, small])).map((response) => response.status)).toEqual([200, 200, 200]);
    const next = gate.batches[batchesBefore + 1] ?? [];
    expect(next).toHaveLength(4);
    expect(next.filter((prefix) => prefix[1] === 6)).toHaveLength(1);
  });

  it("closes a connection whose body arrives too slowly with a 408", async () => {
    const head = `POST /v1/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n`;
    const { text, ms } = await rawExchange([
      { text: head, afterMs: 0 },
      { text: '{"model":', afterMs: 100 },
    ]);
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(5000);
  });

  it("closes a connection whose head arrives too slowly", async () => {
    const { ms } = await rawExchange([
      { text: "GET /health HTTP/1.1\r\n", afterMs: 0 },
      { text: "x-slow: 1\r\n", afterMs: 500 },
    ]);
    expect(ms).toBeLessThan(5000);
  });

  it("still answers small requests after all of that", async () => {
    const response = await post(completion([[1, 2]]));
    expect(response.status).toBe(200);
    expect(await queued()).toBe(0);
  });
});
