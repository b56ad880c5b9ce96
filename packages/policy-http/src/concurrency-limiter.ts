/**
 * At most `limit` tasks run at once; the others wait in arrival order. Keeps a client from
 * opening hundreds of sockets when a tree sampler asks for a large batch.
 *
 * @example
 * const limiter = new ConcurrencyLimiter(8);
 * const results = await Promise.all(urls.map((url) => limiter.run(() => fetch(url))));
 */
export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`concurrency must be an integer >= 1, got ${limit}`);
  }

  /** Tasks started and not yet settled. */
  get active(): number {
    return this.running;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
