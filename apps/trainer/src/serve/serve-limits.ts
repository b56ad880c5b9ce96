/**
 * How much work and time one client may ask of `ibtpo serve`. The defaults keep a server of a
 * small model under a few hundred MB while any one client sends the largest requests it may;
 * `ibtpo serve --help` lists the flag of each.
 */
export interface ServeLimits {
  /** Rows (prompts x n) one request may queue; more is a 400. */
  readonly maxRowsPerRequest: number;
  /** Generated tokens one request may ask for (rows x max_tokens, capped by the context); more is a 400. */
  readonly maxTokensPerRequest: number;
  /** Rows queued from one client (API key, else connection) at once; more is a 429 (retry later). */
  readonly maxQueuedRowsPerClient: number;
  /** Rows queued in the whole server at once; more is a 503 (overloaded, retry later). */
  readonly maxQueuedRows: number;
  /** Largest request body in bytes; more is a 413. */
  readonly maxBodyBytes: number;
  /** Largest request head (request line and headers) in bytes; more is a 431. */
  readonly maxHeaderBytes: number;
  /** Time to receive the request head, in milliseconds; then the connection is closed. */
  readonly headersTimeoutMs: number;
  /** Time to receive the whole request (head and body), in milliseconds; then a 408. */
  readonly requestTimeoutMs: number;
  /**
   * Tokens one `generate` call may generate (rows x their max_tokens within the context): a call
   * runs until its longest row ends, so this bounds how long a small request waits behind others.
   */
  readonly maxBatchTokens: number;
}

/** The one home of the serving limits' defaults (flags and the README point here). */
export const DEFAULT_SERVE_LIMITS: ServeLimits = {
  maxRowsPerRequest: 256,
  maxTokensPerRequest: 65_536,
  maxQueuedRowsPerClient: 512,
  maxQueuedRows: 4096,
  maxBodyBytes: 8 * 1024 * 1024,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxBatchTokens: 1024,
};

/** The `ibtpo serve` flag of each limit, with what it sets. */
export const SERVE_LIMIT_FLAGS: Readonly<Record<keyof ServeLimits, { flag: string; help: string }>> = {
  maxRowsPerRequest: { flag: "--max-rows-per-request", help: "rows (prompts x n) one request may ask for" },
  maxTokensPerRequest: { flag: "--max-tokens-per-request", help: "generated tokens one request may ask for" },
  maxQueuedRowsPerClient: {
    flag: "--max-queued-rows-per-client",
    help: "rows queued from one client: API key, else connection (429)",
  },
  maxQueuedRows: { flag: "--max-queued-rows", help: "rows queued in the server (503)" },
  maxBodyBytes: { flag: "--max-body-bytes", help: "largest request body (413)" },
  maxHeaderBytes: { flag: "--max-header-bytes", help: "largest request head (431)" },
  headersTimeoutMs: { flag: "--headers-timeout-ms", help: "time to receive the request head" },
  requestTimeoutMs: { flag: "--request-timeout-ms", help: "time to receive the whole request (408)" },
  maxBatchTokens: { flag: "--max-batch-tokens", help: "tokens one batched generate call may generate" },
};

/** Defaults with the given limits replaced. */
export function serveLimits(overrides: Partial<ServeLimits> = {}): ServeLimits {
  return { ...DEFAULT_SERVE_LIMITS, ...overrides };
}
