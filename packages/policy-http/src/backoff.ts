import { Sfc32 } from "@ibtpo/random";

export interface BackoffOptions {
  /** Delay before the first retry, before jitter (ms). Default 250. */
  readonly initialDelayMs?: number;
  /** Cap on any single delay (ms), Retry-After included. Default 8000. */
  readonly maxDelayMs?: number;
  /** Seed of the jitter, so a rerun waits exactly as long. Default 0. */
  readonly seed?: number;
}

/**
 * Exponential backoff with "equal jitter": the n-th retry (n = 1, 2, ...) waits
 * `d / 2 + u * d / 2` with `d = min(maxDelay, initial * 2^(n-1))` and `u` uniform in [0, 1) from a
 * seeded stream. Half of the delay is fixed so a retry never comes back at once; the random half
 * spreads clients that failed together. A server's Retry-After (seconds) is honoured up to the cap.
 *
 * @example
 * const backoff = new Backoff({ initialDelayMs: 100, seed: 1 });
 * backoff.delayMs(1); // between 50 and 100
 * backoff.delayMs(3); // between 200 and 400
 */
export class Backoff {
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: Sfc32;

  constructor(options: BackoffOptions = {}) {
    this.initialDelayMs = options.initialDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 8000;
    if (!(this.initialDelayMs >= 0) || !(this.maxDelayMs >= this.initialDelayMs)) {
      throw new RangeError(
        `backoff needs 0 <= initialDelayMs <= maxDelayMs, got ${this.initialDelayMs} and ${this.maxDelayMs}`,
      );
    }
    this.random = new Sfc32(options.seed ?? 0);
  }

  /** Milliseconds to wait before retry number `retry` (1-based). */
  delayMs(retry: number, retryAfterSeconds?: number): number {
    const exponential = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** (retry - 1));
    const jittered = exponential / 2 + (this.random.next() * exponential) / 2;
    if (retryAfterSeconds !== undefined && retryAfterSeconds > 0) {
      return Math.min(this.maxDelayMs, Math.max(jittered, retryAfterSeconds * 1000));
    }
    return jittered;
  }
}

/** Resolve after `ms`, or reject with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
