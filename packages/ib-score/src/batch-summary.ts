import type { TreeScore } from "./score-tree.js";

/** Aggregates over the trees of a batch (docs/METHOD.md section 3). */
export interface BatchSummary {
  readonly prompts: number;
  readonly trajectories: number;
  /** Share of trees whose trajectory rewards are not all equal; null for an empty batch. */
  readonly effRate: number | null;
  /** Trees with no branching node. */
  readonly collapsed: number;
  /** Means over the trees that have a value; null when none has. */
  readonly ibScore: number | null;
  readonly H: number | null;
  readonly I: number | null;
  /** True when any tree used the surprisal fallback for step entropies. */
  readonly usedSurprisalFallback: boolean;
}

/**
 * Accumulates tree scores one at a time, so a stream of any length is summarised in constant memory.
 *
 * @example
 * const batch = new BatchAccumulator();
 * for (const tree of trees) batch.add(scoreTree(tree));
 * batch.summary().effRate;
 */
export class BatchAccumulator {
  private prompts = 0;
  private trajectories = 0;
  private effective = 0;
  private collapsed = 0;
  private scored = 0;
  private sumH = 0;
  private sumI = 0;
  private sumIbScore = 0;
  private usedSurprisalFallback = false;

  add(score: TreeScore): void {
    this.prompts++;
    this.trajectories += score.trajectories;
    if (score.effective) this.effective++;
    if (score.usedSurprisalFallback) this.usedSurprisalFallback = true;
    if (score.tree === null) {
      this.collapsed++;
      return;
    }
    this.scored++;
    this.sumH += score.tree.H;
    this.sumI += score.tree.I;
    this.sumIbScore += score.tree.ibScore;
  }

  summary(): BatchSummary {
    const mean = (sum: number) => (this.scored > 0 ? sum / this.scored : null);
    return {
      prompts: this.prompts,
      trajectories: this.trajectories,
      effRate: this.prompts > 0 ? this.effective / this.prompts : null,
      collapsed: this.collapsed,
      ibScore: mean(this.sumIbScore),
      H: mean(this.sumH),
      I: mean(this.sumI),
      usedSurprisalFallback: this.usedSurprisalFallback,
    };
  }
}

/** Summarise the scores of a batch of trees. */
export function summarizeBatch(scores: Iterable<TreeScore>): BatchSummary {
  const accumulator = new BatchAccumulator();
  for (const score of scores) accumulator.add(score);
  return accumulator.summary();
}
