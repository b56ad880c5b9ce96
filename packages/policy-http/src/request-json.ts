import { PolicyHttpError } from "./errors.js";

export interface RequestJsonOptions {
  readonly method: "GET" | "POST";
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Abort the attempt after this many ms without a full answer. */
  readonly timeoutMs: number;
  /** The caller's cancellation; aborting it is never retried. */
  readonly signal?: AbortSignal | undefined;
}

const BODY_EXCERPT = 500;
/** Socket errors that mean no server listens there (as opposed to one that hung up). */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * 408, 409 (lock timeouts in some gateways), 429 and 5xx may succeed on a later attempt; 501 (not
 * implemented) and 505 (HTTP version) never do.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * Error types that say the request itself is wrong, whatever the status: llama.cpp's
 * `invalid_request_error` (e.g. a prompt longer than the context) and `not_supported_error`, vLLM's
 * and SGLang's `BadRequestError`. Sending the same request again gives the same answer.
 */
const DETERMINISTIC_ERROR_TYPES = new Set([
  "invalid_request_error",
  "not_supported_error",
  "BadRequestError",
  "NotFoundError",
]);

/** The `error.type` (or top-level `type`) of an OpenAI-style error body, if any. */
function errorType(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { type?: unknown }; type?: unknown };
    const type = typeof parsed.error === "object" ? parsed.error?.type : parsed.type;
    return typeof type === "string" ? type : undefined;
  } catch {
    return undefined;
  }
}

/** Seconds from a Retry-After header (delta-seconds form only); undefined otherwise. */
export function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header.trim());
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** The OpenAI-style `{"error": {"message"}}` text of an error body, else the body itself. */
function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof parsed.error === "object" && typeof parsed.error?.message === "string") return parsed.error.message;
    if (typeof parsed.error === "string") return parsed.error;
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON: show the text as it came
  }
  return body.length > BODY_EXCERPT ? `${body.slice(0, BODY_EXCERPT)}...` : body;
}

/**
 * One HTTP exchange with JSON in and out, every failure turned into a {@link PolicyHttpError}
 * with the right `kind`, `isRetryable` and, on a 429/503, `retryAfterSeconds`. Uses
 * Node's built-in fetch (undici).
 */
export async function requestJson(url: string, options: RequestJsonOptions): Promise<unknown> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  /** A failure before a full answer: the caller's cancellation, the timeout, or the connection. */
  const fail = (detail: string, cause: unknown) => {
    if (options.signal?.aborted) {
      return new PolicyHttpError(`request to ${url} was cancelled`, {
        kind: "aborted",
        url,
        cause: options.signal.reason,
      });
    }
    if (timeout.aborted) {
      return new PolicyHttpError(`no complete answer from ${url} within ${options.timeoutMs} ms`, {
        kind: "timeout",
        url,
        isRetryable: true,
        cause,
      });
    }
    return new PolicyHttpError(`${detail} (${url})`, { kind: "connection", url, isRetryable: true, cause });
  };
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method,
      headers: {
        accept: "application/json",
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal,
    });
  } catch (error) {
    const code = (error as { cause?: { code?: string } })?.cause?.code ?? "";
    const detail = UNREACHABLE.has(code) ? "cannot reach the server" : "the connection failed before an answer";
    throw fail(`${detail}: ${causeText(error)}`, error);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw fail(`the connection dropped while reading the answer: ${causeText(error)}`, error);
  }
  if (!response.ok) {
    const after = retryAfterSeconds(response.headers.get("retry-after"));
    throw new PolicyHttpError(`server answered ${response.status}: ${serverMessage(text)} (${url})`, {
      kind: "http",
      url,
      statusCode: response.status,
      isRetryable: isRetryableStatus(response.status) && !DETERMINISTIC_ERROR_TYPES.has(errorType(text) ?? ""),
      responseBody: text.slice(0, BODY_EXCERPT),
      ...(after === undefined ? {} : { retryAfterSeconds: after }),
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new PolicyHttpError(`the answer from ${url} is not JSON: ${serverMessage(text)}`, {
      kind: "malformed",
      url,
      statusCode: response.status,
      responseBody: text.slice(0, BODY_EXCERPT),
      cause: error,
    });
  }
}

/** undici hides the socket error in `cause`; show it (ECONNREFUSED, "other side closed"). */
function causeText(error: unknown): string {
  const inner = (error as { cause?: { code?: string; message?: string } })?.cause;
  const outer = error instanceof Error ? error.message : String(error);
  if (inner === undefined) return outer;
  if (inner.message !== undefined && inner.code !== undefined && inner.message.includes(inner.code))
    return inner.message;
  return [inner.code, inner.message].filter((part) => part !== undefined).join(" ") || outer;
}
