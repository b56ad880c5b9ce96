import type { IncomingMessage, ServerResponse } from "node:http";
import { OpenAIRequestError } from "./openai-error.js";

/** The request body as JSON; too large is a 413, not JSON a 400. */
export async function readJson(request: IncomingMessage, limit: number): Promise<unknown> {
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

/** Answer with a JSON body and its length. */
export function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}
