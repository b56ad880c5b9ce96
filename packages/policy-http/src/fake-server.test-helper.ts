import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the fake server does with one request: answer, stall, or drop the connection. */
export type FakeBehaviour =
  | { readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> }
  | { readonly stall: true }
  | { readonly drop: true };

export interface FakeServer {
  readonly baseUrl: string;
  /** Parsed JSON bodies of every request received, in arrival order. */
  readonly bodies: unknown[];
  /** Most requests open at the same time. */
  readonly maxInFlight: () => number;
  close(): Promise<void>;
}

/** A loopback HTTP server whose n-th request (0-based) gets `behave(n, body, path)`. */
export async function startFakeServer(
  behave: (index: number, body: unknown, path: string) => FakeBehaviour | Promise<FakeBehaviour>,
): Promise<FakeServer> {
  const bodies: unknown[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    response.on("close", () => inFlight--);
    let text = "";
    for await (const chunk of request) text += chunk;
    const body = text === "" ? null : (JSON.parse(text) as unknown);
    const index = bodies.length;
    bodies.push(body);
    const behaviour = await behave(index, body, request.url ?? "/");
    if ("stall" in behaviour) return;
    if ("drop" in behaviour) {
      request.socket.destroy();
      return;
    }
    response.writeHead(behaviour.status, { "content-type": "application/json", ...behaviour.headers });
    response.end(typeof behaviour.body === "string" ? behaviour.body : JSON.stringify(behaviour.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    bodies,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A well-formed single-choice completion of the given token ids and log-probs. */
export function completion(
  ids: readonly number[],
  logprobs: readonly number[],
  finishReason: "stop" | "length",
  extra: Record<string, unknown> = {},
): unknown {
  return {
    id: "cmpl-test",
    object: "text_completion",
    created: 0,
    model: "test",
    choices: [
      {
        index: 0,
        text: "",
        finish_reason: finishReason,
        logprobs: {
          tokens: ids.map((id) => `token_id:${id}`),
          token_logprobs: [...logprobs],
          top_logprobs: null,
          text_offset: ids.map(() => 0),
          ...extra,
        },
      },
    ],
  };
}
