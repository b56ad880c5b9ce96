import { ChunkedRequest } from "./chunked-request.js";
import type { ForkRequest } from "./fork-point.js";
import type { PromptSampling } from "./prompt-sampling.js";
import type { IterationListener, ResolvedSampleOptions } from "./sample-options.js";

/** One prompt's round in flight: its requests, generated chunk by chunk. */
interface Round {
  readonly iteration: number;
  readonly rows: readonly ChunkedRequest[];
}

interface StartedRound {
  readonly state: PromptSampling;
  readonly iteration: number;
  readonly forks: readonly ForkRequest[];
}

/** Tell the listener about the rounds that start together, once per iteration number. */
function announce(listener: IterationListener | undefined, started: readonly StartedRound[]): void {
  if (listener === undefined) return;
  for (const iteration of new Set(started.map((round) => round.iteration))) {
    listener({
      iteration,
      prompts: started
        .filter((round) => round.iteration === iteration)
        .map(({ state, forks }) => ({ promptIndex: state.promptIndex, tree: state.tree, forks })),
    });
  }
}

/**
 * The rounds of every prompt of a batch: at most one in flight per prompt. A prompt without one
 * plans its next round when asked ({@link RoundScheduler.startRounds}); a round whose requests are
 * all generated is added to its tree and verified ({@link RoundScheduler.finishRounds}). How the
 * requests reach the policy (calls, chunks, a continuous batch) is the caller's.
 */
export class RoundScheduler {
  private readonly nextIteration: number[];
  private readonly rounds: (Round | null)[];

  constructor(
    private readonly states: readonly PromptSampling[],
    private readonly options: ResolvedSampleOptions,
    private readonly resumesDraws: boolean,
  ) {
    this.nextIteration = states.map(() => 0);
    this.rounds = states.map(() => null);
  }

  /** Start the next round of every unfinished prompt that has none in flight; returns its requests. */
  startRounds(chunk: number): ChunkedRequest[] {
    const started: StartedRound[] = [];
    const rows: ChunkedRequest[] = [];
    for (const [index, state] of this.states.entries()) {
      if (state.done || this.rounds[index] !== null) continue;
      const iteration = this.nextIteration[index] as number;
      this.nextIteration[index] = iteration + 1;
      const { forks, requests } = state.plan(iteration);
      if (requests.length === 0) continue;
      const round = {
        iteration,
        rows: requests.map((planned) => new ChunkedRequest(planned, chunk, this.resumesDraws)),
      };
      this.rounds[index] = round;
      rows.push(...round.rows);
      started.push({ state, iteration, forks });
    }
    announce(this.options.onIteration, started);
    return rows;
  }

  /** The requests of the rounds in flight that are still generating. */
  generatingRows(): ChunkedRequest[] {
    return this.rounds.flatMap((round) => round?.rows.filter((row) => !row.done) ?? []);
  }

  /** Add every round whose requests are all generated to its tree, with the verifier's rewards. */
  async finishRounds(): Promise<void> {
    // Only finished rounds get an async step: a running batch asks after every row that ends, and
    // one per prompt each time grew with the prompts times their rows.
    const finishing: Promise<void>[] = [];
    for (const [index, round] of this.rounds.entries()) {
      if (round === null || round.rows.some((row) => !row.done)) continue;
      this.rounds[index] = null;
      finishing.push(this.finish(this.states[index] as PromptSampling, round));
    }
    await Promise.all(finishing);
  }

  /** Grow a finished round's responses into its tree, then record each with its reward. */
  private async finish(state: PromptSampling, round: Round): Promise<void> {
    const grown = round.rows.map((row) => state.grow(row.planned, row.generation(), round.iteration));
    const rewards = await Promise.all(grown.map((response) => state.reward(response)));
    for (const [row, response] of grown.entries()) state.record(response, rewards[row] as number);
  }
}
