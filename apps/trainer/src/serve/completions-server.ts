import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Sfc32 } from "@ibtpo/random";
import type { Policy } from "@ibtpo/tree-sampler";
import { completionHandler, type TopLogprobsFunction } from "./completion-handler.js";
import { GenerationBatcher } from "./generation-batcher.js";
import { readJson, send } from "./http-json.js";
import { OpenAIRequestError } from "./openai-error.js";
import { type ServeLimits, serveLimits } from "./serve-limits.js";
import { modelCard, type ServedModel } from "./served-model.js";
import { detokenize, tokenize } from "./tokenize-routes.js";

export interface CompletionsServerOptions {
  readonly policy: Policy;
  readonly model: ServedModel;
  /** Default 127.0.0.1: loopback only unless asked. */
  readonly host?: string;
  /** 0 picks a free port. Default 8000. */
  readonly port?: number;
  /** Rows per `generate` call. Default 128. */
  readonly maxBatchSize?: number;
  /** Seeds requests that carry none. Default 0. */
  readonly seed?: number;
  /** Work and time limits per request and client; each unset one keeps its default (`DEFAULT_SERVE_LIMITS`). */
  readonly limits?: Partial<ServeLimits>;
  readonly log?: (line: string) => void;
  /**
   * The top-k next tokens at each generated position, for `logprobs` > 0; without it such
   * requests are refused with a 400.
   */
  readonly topLogprobs?: TopLogprobsFunction;
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:8000` */
  readonly url: string;
  readonly batcher: GenerationBatcher;
  /**
   * Stop accepting connections, answer 503 to new requests on open ones, let in-flight requests
   * finish (up to `graceMs`, default 30 s), then close every socket.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Answer a request head above `maxHeaderBytes` with a 431 the client can read: keep reading (and
 * dropping) what it still sends for a moment, since closing a socket with unread data resets it
 * and the client would see a reset instead of the answer.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large"]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout"]
        : [400, "Bad Request"];
  const body = JSON.stringify(
    new OpenAIRequestError(status, `${reason.toLowerCase()} (${error.code ?? error.message})`).toJSON(),
  );
  socket.on("data", () => {});
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * Who sent a request, for fair turns and the per-client queue limit: its API key (the
 * `authorization` header) when it sends one, so opening more connections gains a client
 * nothing, else its connection.
 */
function clientOf(request: IncomingMessage): unknown {
  const key = request.headers.authorization;
  return key === undefined ? request.socket : `authorization ${key}`;
}

/**
 * An OpenAI-compatible completions server over a policy: `POST /v1/completions` (the subset of
 * {@link parseCompletionRequest}), `GET /v1/models`, vLLM-style `POST /tokenize` and
 * `POST /detokenize`, and `GET /health` (with the batching counters). Concurrent requests are batched into shared `generate`
 * calls by a {@link GenerationBatcher}, one row per client (API key, else connection) in turn. Work is bounded by
 * `limits`: too large a request is a 400 (413 for the body, 431 for the head), a client with
 * too many queued rows gets a 429 and a full server a 503; a slow head or body is cut off; a
 * client that goes away frees its queued rows.
 *
 * @example
 * const server = await startCompletionsServer({ policy, model: { id: "tiny", tokenizer, vocabSize, contextLength }, port: 0 });
 * console.log(server.url);
 * await server.close();
 */
export async function startCompletionsServer(options: CompletionsServerOptions): Promise<RunningServer> {
  const { policy, model } = options;
  const limits = serveLimits(options.limits);
  const batcher = new GenerationBatcher(policy, options.maxBatchSize ?? 128, limits.maxBatchTokens, (request) =>
    Math.min(request.settings.maxTokens, model.contextLength - request.prefix.length),
  );
  const created = Math.floor(Date.now() / 1000);
  const limit = limits.maxBodyBytes;
  const complete = completionHandler({
    batcher,
    model,
    limits,
    seeds: new Sfc32(options.seed ?? 0),
    ...(options.topLogprobs === undefined ? {} : { topLogprobs: options.topLogprobs }),
  });
  let closing = false;
  let inFlight = 0;

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const key = `${request.method} ${path}`;
    if (key === "GET /v1/models") return send(response, 200, { object: "list", data: [modelCard(model, created)] });
    if (key === "GET /health") {
      const { calls, rows } = batcher.stats;
      return send(response, 200, { status: "ok", generate_calls: calls, generated_rows: rows, queued: batcher.queued });
    }
    if (key === "POST /tokenize") return send(response, 200, tokenize(await readJson(request, limit), model));
    if (key === "POST /detokenize") return send(response, 200, detokenize(await readJson(request, limit), model));
    if (key !== "POST /v1/completions") {
      throw new OpenAIRequestError(
        404,
        `no route ${request.method} ${path}; this server has POST /v1/completions, GET /v1/models, POST /tokenize, POST /detokenize`,
      );
    }
    const gone = new AbortController();
    response.on("close", () => {
      if (!response.writableFinished) gone.abort(new Error("client closed the connection"));
    });
    send(response, 200, await complete(await readJson(request, limit), gone.signal, clientOf(request)));
  };

  const server: Server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // How often the two timeouts above are checked (Node's default, 30 s, would let them slip).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headersTimeoutMs / 4)),
    },
    (request, response) => {
      if (closing) {
        response.setHeader("connection", "close");
        send(response, 503, new OpenAIRequestError(503, "the server is shutting down").toJSON());
        return;
      }
      inFlight++;
      route(request, response)
        .catch((error: unknown) => {
          if (response.headersSent || response.destroyed) return;
          if (OpenAIRequestError.isInstance(error)) {
            if (error.status === 429 || error.status === 503) response.setHeader("retry-after", "1");
            return send(response, error.status, error.toJSON());
          }
          options.log?.(
            `internal error on ${request.method} ${request.url}: ${(error as Error).stack ?? String(error)}`,
          );
          send(
            response,
            500,
            new OpenAIRequestError(500, `internal error: ${(error as Error).message ?? String(error)}`).toJSON(),
          );
        })
        .finally(() => {
          inFlight--;
        });
    },
  );
  server.on("clientError", answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8000, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    batcher,
    close: async (graceMs = 30_000) => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      server.closeAllConnections();
      await closed;
    },
  };
}
