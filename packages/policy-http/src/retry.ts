import { type Backoff, type BackoffOptions, sleep } from "./backoff.js";
import { PolicyHttpError } from "./errors.js";

export interface RetryOptions extends BackoffOptions {
  /** Attempts in all, the first included. Default 4. */
  readonly maxAttempts?: number;
}

/**
 * Run `attempt` until it succeeds, a non-retryable {@link PolicyHttpError} is thrown, the caller's
 * signal aborts, or `maxAttempts` is reached; waits between attempts come from `backoff`. The
 * final error says how many attempts were made.
 *
 * @example
 * const value = await withRetries(() => requestJson(url, options), backoff, { maxAttempts: 3 });
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  backoff: Backoff,
  options: { readonly maxAttempts: number; readonly signal?: AbortSignal | undefined },
): Promise<T> {
  for (let attempts = 1; ; attempts++) {
    try {
      return await attempt();
    } catch (error) {
      if (!PolicyHttpError.isInstance(error)) throw error;
      if (!error.isRetryable || attempts >= options.maxAttempts || options.signal?.aborted) {
        throw error.afterAttempts(attempts);
      }
      try {
        await sleep(backoff.delayMs(attempts, error.retryAfterSeconds), options.signal);
      } catch (reason) {
        throw new PolicyHttpError(`cancelled while waiting to retry: ${error.message}`, {
          kind: "aborted",
          url: error.url,
          attempts,
          cause: reason,
        });
      }
    }
  }
}
