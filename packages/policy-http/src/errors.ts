const marker = Symbol.for("@ibtpo/policy-http/PolicyHttpError");

/**
 * What went wrong talking to the server:
 * - `http`: the server answered with an error status (`statusCode` set);
 * - `connection`: the connection failed or was dropped before a full answer;
 * - `timeout`: no full answer within the per-request timeout;
 * - `malformed`: the answer is not a completions response this client can use (missing fields,
 *   wrong lengths, unknown tokens);
 * - `missing-logprobs`: the answer has no per-token log-probs (the server ignored `logprobs`);
 * - `aborted`: the caller's AbortSignal fired;
 * - `invalid-request`: the request cannot be expressed for this server (checked before sending).
 */
export type PolicyHttpErrorKind =
  | "http"
  | "connection"
  | "timeout"
  | "malformed"
  | "missing-logprobs"
  | "aborted"
  | "invalid-request";

export interface PolicyHttpErrorOptions {
  readonly kind: PolicyHttpErrorKind;
  readonly url: string;
  readonly statusCode?: number | undefined;
  readonly isRetryable?: boolean;
  /** Attempts made, the failing one included. */
  readonly attempts?: number;
  /** The server's answer (truncated), when there was one. */
  readonly responseBody?: string | undefined;
  /** The server's Retry-After, in seconds, on a 429 or 503. */
  readonly retryAfterSeconds?: number | undefined;
  readonly cause?: unknown;
}

/**
 * The one error type of this package: names the URL, what failed and how often it was tried.
 * `isRetryable` says whether sending the same request again could succeed (429, 5xx, dropped
 * connections and timeouts are; 4xx and malformed answers are not).
 *
 * @example
 * try {
 *   await policy.generate(requests);
 * } catch (error) {
 *   if (PolicyHttpError.isInstance(error)) console.error(error.kind, error.statusCode, error.message);
 * }
 */
export class PolicyHttpError extends Error {
  readonly [marker] = true;
  readonly kind: PolicyHttpErrorKind;
  readonly url: string;
  readonly statusCode: number | undefined;
  readonly isRetryable: boolean;
  readonly attempts: number;
  readonly responseBody: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, options: PolicyHttpErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PolicyHttpError";
    this.kind = options.kind;
    this.url = options.url;
    this.statusCode = options.statusCode;
    this.isRetryable = options.isRetryable ?? false;
    this.attempts = options.attempts ?? 1;
    this.responseBody = options.responseBody;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The same error after `attempts` tries, with the count in the message. */
  afterAttempts(attempts: number): PolicyHttpError {
    const suffix = attempts > 1 ? ` (gave up after ${attempts} attempts)` : "";
    return new PolicyHttpError(`${this.message}${suffix}`, {
      kind: this.kind,
      url: this.url,
      isRetryable: this.isRetryable,
      attempts,
      cause: this.cause,
      statusCode: this.statusCode,
      responseBody: this.responseBody,
      retryAfterSeconds: this.retryAfterSeconds,
    });
  }

  /** True for errors thrown by any installed copy of this package. */
  static isInstance(error: unknown): error is PolicyHttpError {
    return typeof error === "object" && error !== null && marker in error;
  }
}
