import type { IbScoreEstimator } from "./score-options.js";
import type { TreeScore } from "./score-tree.js";

/** Aggregates over the trees of a batch (docs/METHOD.md section 3). */
export interface BatchSummary {
  /** The estimator the trees were scored with; null for an empty batch. */
  readonly estimator: IbScoreEstimator | null;
  readonly prompts: number;
  readonly trajectories: number;
  /** Share of trees whose trajectory rewards are not all equal; null for an empty batch. */
  readonly effRate: number | null;
  /** Avg-Rate: the mean reward over all trajectories of the batch; null without one. */
  readonly avgRate: number | null;
  /** Trees with no scored node (see `TreeScore.scoredNodes`). */
  readonly collapsed: number;
  /**
   * Means over the trees that have a value; null when none has, or when the value needs
   * log-probs the input did not carry.
   */
  readonly ibScore: number | null;
  readonly H: number | null;
  readonly I: number | null;
  /** Paper form's Cov(eta1, eta2) and mean confidence pbar, averaged the same way. */
  readonly cov: number | null;
  readonly confidence: number | null;
  /** True when any tree used the surprisal fallback for step entropies. */
  readonly usedSurprisalFallback: boolean;
  /** True when some step had no log-probs: the numbers that need them are null. */
  readonly missingLogprobs: boolean;
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
  private estimator: IbScoreEstimator | null = null;
  private prompts = 0;
  private trajectories = 0;
  private rewardSum = 0;
  private effective = 0;
  private collapsed = 0;
  private scored = 0;
  private sumH = 0;
  private sumI = 0;
  private sumIbScore = 0;
  private sumCov = 0;
  private sumConfidence = 0;
  private usedSurprisalFallback = false;
  private missingLogprobs = false;

  add(score: TreeScore): void {
    this.estimator = score.options.estimator;
    this.prompts++;
    this.trajectories += score.trajectories;
    this.rewardSum += score.rewardSum;
    if (score.effective) this.effective++;
    if (score.usedSurprisalFallback) this.usedSurprisalFallback = true;
    if (score.missingLogprobs) this.missingLogprobs = true;
    if (score.tree === null) {
      this.collapsed++;
      return;
    }
    this.scored++;
    this.sumH += score.tree.H;
    this.sumI += score.tree.I;
    this.sumIbScore += score.tree.ibScore;
    this.sumCov += score.tree.cov;
    this.sumConfidence += score.tree.confidence;
  }

  summary(): BatchSummary {
    // NaN (a number that needs log-probs the input lacked) is reported as null.
    const mean = (sum: number) => (this.scored > 0 && !Number.isNaN(sum) ? sum / this.scored : null);
    return {
      estimator: this.estimator,
      prompts: this.prompts,
      trajectories: this.trajectories,
      effRate: this.prompts > 0 ? this.effective / this.prompts : null,
      avgRate: this.trajectories > 0 ? this.rewardSum / this.trajectories : null,
      collapsed: this.collapsed,
      ibScore: mean(this.sumIbScore),
      H: mean(this.sumH),
      I: mean(this.sumI),
      cov: mean(this.sumCov),
      confidence: mean(this.sumConfidence),
      usedSurprisalFallback: this.usedSurprisalFallback,
      missingLogprobs: this.missingLogprobs,
    };
  }
}

/** Summarise the scores of a batch of trees. */
export function summarizeBatch(scores: Iterable<TreeScore>): BatchSummary {
  const accumulator = new BatchAccumulator();
  for (const score of scores) accumulator.add(score);
  return accumulator.summary();
}
