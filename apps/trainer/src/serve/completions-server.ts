import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { deriveSeed, type GenerationRequest, type Policy, SeededRandom } from "@ibtpo/tree-sampler";
import { completionResponse } from "./completion-response.js";
import { GenerationBatcher } from "./generation-batcher.js";
import { OpenAIRequestError } from "./openai-error.js";
import { type CompletionRequest, parseCompletionRequest } from "./parse-completion-request.js";
import { modelCard, type ServedModel } from "./served-model.js";
import { detokenize, tokenize } from "./tokenize-routes.js";
import type { TokenLogprob } from "./top-logprobs.js";

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
  /** Largest accepted body in bytes. Default 8 MiB. */
  readonly maxBodyBytes?: number;
  readonly log?: (line: string) => void;
  /**
   * The top-k next tokens at each generated position, for `logprobs` > 0; without it such
   * requests are refused with a 400.
   */
  readonly topLogprobs?: (prefix: Int32Array, tokens: Int32Array, temperature: number, k: number) => TokenLogprob[][];
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

/** The generation requests of a completion request: prompt-major, then choice, each with its own seed. */
function generationRequests(request: CompletionRequest, seeds: SeededRandom): GenerationRequest[] {
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
        seed: choice === 0 ? seed : deriveSeed(seed, choice),
      },
    }));
  });
}

async function readJson(request: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new OpenAIRequestError(413, `the request body is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    throw new OpenAIRequestError(400, `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

/**
 * An OpenAI-compatible completions server over a policy: `POST /v1/completions` (the subset of
 * {@link parseCompletionRequest}), `GET /v1/models`, vLLM-style `POST /tokenize` and
 * `POST /detokenize`, and `GET /health` (with the batching counters). Concurrent requests are batched into shared `generate`
 * calls by a {@link GenerationBatcher}.
 *
 * @example
 * const server = await startCompletionsServer({ policy, model: { id: "tiny", tokenizer, vocabSize, contextLength }, port: 0 });
 * console.log(server.url);
 * await server.close();
 */
export async function startCompletionsServer(options: CompletionsServerOptions): Promise<RunningServer> {
  const { policy, model } = options;
  const batcher = new GenerationBatcher(policy, options.maxBatchSize ?? 128);
  const seeds = new SeededRandom(options.seed ?? 0);
  const created = Math.floor(Date.now() / 1000);
  const limit = options.maxBodyBytes ?? 8 * 1024 * 1024;
  let counter = 0;
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
    const parsed = parseCompletionRequest(
      await readJson(request, limit),
      model,
      options.topLogprobs === undefined ? 0 : model.vocabSize,
    );
    const gone = new AbortController();
    response.on("close", () => {
      if (!response.writableFinished) gone.abort(new Error("client closed the connection"));
    });
    const requests = generationRequests(parsed, seeds);
    const generations = await batcher.generate(requests, gone.signal);
    const k = parsed.logprobs ?? 0;
    const top = options.topLogprobs;
    const tops =
      k > 0 && top !== undefined
        ? generations.map((generation, index) =>
            top(requests[index]?.prefix as Int32Array, generation.tokens, parsed.temperature, k),
          )
        : null;
    send(
      response,
      200,
      completionResponse(
        parsed,
        generations,
        model,
        `cmpl-${created}-${counter++}`,
        Math.floor(Date.now() / 1000),
        tops,
      ),
    );
  };

  const server: Server = createServer((request, response) => {
    if (closing) {
      response.setHeader("connection", "close");
      send(response, 503, new OpenAIRequestError(503, "the server is shutting down").toJSON());
      return;
    }
    inFlight++;
    route(request, response)
      .catch((error: unknown) => {
        if (response.headersSent || response.destroyed) return;
        if (OpenAIRequestError.isInstance(error)) return send(response, error.status, error.toJSON());
        options.log?.(`internal error on ${request.method} ${request.url}: ${(error as Error).stack ?? String(error)}`);
        send(
          response,
          500,
          new OpenAIRequestError(500, `internal error: ${(error as Error).message ?? String(error)}`).toJSON(),
        );
      })
      .finally(() => {
        inFlight--;
      });
  });
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
