import { afterEach, describe, expect, it } from "vitest";
import { PolicyHttpError } from "./errors.js";
import { type FakeServer, startFakeServer } from "./fake-server.test-helper.js";
import { listModels } from "./list-models.js";
import { RemoteTokenizer } from "./remote-tokenizer.js";

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe("RemoteTokenizer", () => {
  it("sends vLLM's /tokenize and /detokenize bodies and reads the answers", async () => {
    server = await startFakeServer((_index, body) => {
      const fields = body as { prompt?: string; tokens?: number[] };
      return fields.prompt !== undefined
        ? { status: 200, body: { tokens: [1, 7, 8], count: 3, max_model_len: 64 } }
        : { status: 200, body: { prompt: `ids ${fields.tokens?.join(",")}` } };
    });
    const tokenizer = new RemoteTokenizer({ baseUrl: server.baseUrl, model: "m" });
    expect(Array.from(await tokenizer.encode("ab"))).toEqual([1, 7, 8]);
    expect(await tokenizer.decode([7, 8])).toBe("ids 7,8");
    expect(server.bodies).toEqual([
      { model: "m", prompt: "ab", add_special_tokens: true },
      { model: "m", tokens: [7, 8] },
    ]);
  });

  it("retries a 503 and rejects an answer without token ids", async () => {
    server = await startFakeServer((index) =>
      index === 0 ? { status: 503, body: { error: { message: "warming up" } } } : { status: 200, body: { count: 2 } },
    );
    const tokenizer = new RemoteTokenizer({ baseUrl: server.baseUrl, retry: { initialDelayMs: 1, maxDelayMs: 2 } });
    const error = await tokenizer.encode("ab").catch((reason: unknown) => reason);
    expect(PolicyHttpError.isInstance(error) && error.kind).toBe("malformed");
    expect((error as Error).message).toMatch(/tokens: expected an array of token ids/);
    expect(server.bodies).toHaveLength(2);
  });
});

describe("listModels", () => {
  it("returns the models with the server's extra fields and names a malformed entry", async () => {
    server = await startFakeServer((index) =>
      index === 0
        ? { status: 200, body: { object: "list", data: [{ id: "tiny", max_model_len: 64 }] } }
        : { status: 200, body: { object: "list", data: [{ name: "no id" }] } },
    );
    expect(await listModels(`${server.baseUrl}/v1`)).toEqual([{ id: "tiny", max_model_len: 64 }]);
    await expect(listModels(server.baseUrl)).rejects.toThrow(/data\[0\]\.id: expected a string/);
  });
});
