import type { Generation, GenerationRequest, Policy } from "@ibtpo/tree-sampler";

interface Pending {
  readonly request: GenerationRequest;
  readonly resolve: (generation: Generation) => void;
  readonly reject: (error: unknown) => void;
}

/** Whose rows these are (any value compared by identity): rows of one client are served in order, clients in turn. */
export type ClientKey = unknown;

/**
 * Gathers generation requests from concurrent HTTP requests into as few `policy.generate` calls
 * as possible: while one call runs, new requests queue, and the next call takes up to
 * `maxBatchSize` queued rows, one row from each client in turn, so a client with a huge request
 * cannot starve the others. A request whose client goes away leaves the queue at once (its rows
 * are rejected with the signal's reason). Safe because a policy's output for a request depends
 * only on its prefix, settings and seed, not on its batch mates.
 *
 * @example
 * const batcher = new GenerationBatcher(policy, 128);
 * const generations = await batcher.generate(requests);
 */
export class GenerationBatcher {
  /** Queued rows per client, in the order clients are served. */
  private readonly queues = new Map<ClientKey, Pending[]>();
  private queuedRows = 0;
  private running: Promise<void> | null = null;
  /** `generate` calls made and rows decoded, for logs and the load test. */
  readonly stats = { calls: 0, rows: 0 };

  /**
   * `maxBatchTokens` caps the tokens one call may generate (each row counted by `rowTokens`,
   * default its `maxTokens`): a call runs until its longest row ends, so short calls are what let
   * a small request in soon after a client queued many long rows.
   */
  constructor(
    private readonly policy: Policy,
    private readonly maxBatchSize: number,
    private readonly maxBatchTokens = Number.POSITIVE_INFINITY,
    private readonly rowTokens: (request: GenerationRequest) => number = (request) => request.settings.maxTokens,
  ) {}

  /** Rows waiting for a call, over every client. */
  get queued(): number {
    return this.queuedRows;
  }

  /** Rows of one client waiting for a call. */
  queuedOf(client: ClientKey): number {
    return this.queues.get(client)?.length ?? 0;
  }

  /**
   * Queue rows and resolve with their generations. `client` groups the rows of one connection
   * for fair turns (default: this call is its own client).
   */
  generate(
    requests: readonly GenerationRequest[],
    signal?: AbortSignal,
    client: ClientKey = Symbol("client"),
  ): Promise<Generation[]> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const mine: Pending[] = [];
    const results = requests.map(
      (request) => new Promise<Generation>((resolve, reject) => mine.push({ request, resolve, reject })),
    );
    const queue = this.queues.get(client) ?? [];
    queue.push(...mine);
    this.queues.set(client, queue);
    this.queuedRows += mine.length;
    const leave = () => this.withdraw(client, mine, signal?.reason);
    signal?.addEventListener("abort", leave, { once: true });
    this.running ??= this.drain();
    return Promise.all(results).finally(() => signal?.removeEventListener("abort", leave));
  }

  /** Resolves when every queued request has been answered. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private withdraw(client: ClientKey, rows: readonly Pending[], reason: unknown): void {
    const queue = this.queues.get(client);
    if (queue === undefined) return;
    const leaving = new Set(rows);
    const kept = queue.filter((pending) => !leaving.has(pending));
    for (const pending of queue) if (leaving.has(pending)) pending.reject(reason);
    this.queuedRows -= queue.length - kept.length;
    if (kept.length === 0) this.queues.delete(client);
    else this.queues.set(client, kept);
  }

  /**
   * Up to `maxBatchSize` rows and `maxBatchTokens` tokens (at least one row), one row per client
   * per turn; served clients go to the back of the line.
   */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let tokens = 0;
    const full = () => batch.length >= this.maxBatchSize;
    while (!full() && this.queues.size > 0) {
      for (const [client, queue] of [...this.queues]) {
        const next = queue[0] as Pending;
        const cost = this.rowTokens(next.request);
        if (full() || (batch.length > 0 && tokens + cost > this.maxBatchTokens)) return batch;
        tokens += cost;
        batch.push(queue.shift() as Pending);
        this.queuedRows--;
        // Re-inserting moves the client behind those not served yet in this batch.
        this.queues.delete(client);
        if (queue.length > 0) this.queues.set(client, queue);
      }
    }
    return batch;
  }

  private async drain(): Promise<void> {
    // Let the requests that arrived in the same tick join the first call.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queuedRows > 0) {
      const batch = this.takeBatch();
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
