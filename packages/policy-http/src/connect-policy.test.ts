import { afterEach, describe, expect, it } from "vitest";
import { connectCompletionsPolicy } from "./connect-policy.js";
import { type FakeServer, startFakeServer } from "./fake-server.test-helper.js";

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const ibtpoCard = { id: "tiny", max_model_len: 64, ibtpo: { eos_token_id: 2, step_delimiter_token_id: 20 } };

describe("connectCompletionsPolicy", () => {
  it("takes the model, token ids, exact entropies and context from an ibtpo serve card", async () => {
    server = await startFakeServer(() => ({ status: 200, body: { data: [ibtpoCard] } }));
    const { policy, contextLength } = await connectCompletionsPolicy({ baseUrl: server.baseUrl });
    expect([policy.name, policy.eosToken, policy.stepDelimiter, policy.providesEntropies]).toEqual([
      "openai-completions:tiny",
      2,
      20,
      true,
    ]);
    expect(contextLength).toBe(64);
  });

  it("needs eosToken from the caller when the server does not name it, and names missing models", async () => {
    server = await startFakeServer(() => ({ status: 200, body: { data: [{ id: "llama" }] } }));
    await expect(connectCompletionsPolicy({ baseUrl: server.baseUrl })).rejects.toThrow(/eosToken: .*pass eosToken/);
    const { policy, contextLength } = await connectCompletionsPolicy({ baseUrl: server.baseUrl, eosToken: 128001 });
    expect([policy.eosToken, policy.stepDelimiter, policy.providesEntropies, contextLength]).toEqual([
      128001,
      undefined,
      false,
      null,
    ]);
    await expect(connectCompletionsPolicy({ baseUrl: server.baseUrl, model: "qwen" })).rejects.toThrow(
      /model: the server has no model qwen; it offers llama/,
    );
  });
});
