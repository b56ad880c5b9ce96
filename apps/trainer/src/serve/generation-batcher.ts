import type { Generation, GenerationRequest, Policy } from "@ibtpo/tree-sampler";

interface Pending {
  readonly request: GenerationRequest;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (generation: Generation) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Gathers generation requests from concurrent HTTP requests into as few `policy.generate` calls
 * as possible: while one call runs, new requests queue, and the next call takes every queued
 * request (up to `maxBatchSize` rows). A request whose client went away before its call starts is
 * dropped. Safe because a policy's output for a request depends only on its prefix, settings and
 * seed, not on its batch mates.
 *
 * @example
 * const batcher = new GenerationBatcher(policy, 128);
 * const generations = await batcher.generate(requests);
 */
export class GenerationBatcher {
  private readonly queue: Pending[] = [];
  private running: Promise<void> | null = null;
  /** `generate` calls made and rows decoded, for logs and the load test. */
  readonly stats = { calls: 0, rows: 0 };

  constructor(
    private readonly policy: Policy,
    private readonly maxBatchSize: number,
  ) {}

  /** Requests waiting for the next call. */
  get queued(): number {
    return this.queue.length;
  }

  generate(requests: readonly GenerationRequest[], signal?: AbortSignal): Promise<Generation[]> {
    const results = requests.map(
      (request) => new Promise<Generation>((resolve, reject) => this.queue.push({ request, signal, resolve, reject })),
    );
    this.running ??= this.drain();
    return Promise.all(results);
  }

  /** Resolves when every queued request has been answered. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private async drain(): Promise<void> {
    // Let the requests that arrived in the same tick join the first call.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatchSize).filter((pending) => {
        if (!pending.signal?.aborted) return true;
        pending.reject(pending.signal.reason);
        return false;
      });
      if (batch.length === 0) continue;
      this.stats.calls++;
      this.stats.rows += batch.length;
      try {
        const generations = await this.policy.generate(batch.map((pending) => pending.request));
        for (const [index, pending] of batch.entries()) pending.resolve(generations[index] as Generation);
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.running = null;
  }
}
