import { type MeanWithInterval, meanConfidenceInterval } from "./confidence-interval.js";
import type { StoredRun } from "./run-folder.js";
import { runMetricValues } from "./summarize-runs.js";

/** An algorithm's per-seed difference from the baseline on one task and metric. */
export interface PairedDifference {
  readonly task: string;
  readonly algorithm: string;
  readonly baseline: string;
  readonly metric: string;
  /** Seeds that both runs have, in increasing order. */
  readonly seeds: readonly number[];
  /** algorithm minus baseline, one value per seed in `seeds`. */
  readonly differences: readonly number[];
  /** Mean difference with its 95% t interval over the paired seeds. */
  readonly interval: MeanWithInterval;
}

/**
 * Paired differences against a baseline (METHOD.md section 8): for every task and every other
 * algorithm, the metric of each seed's run minus the baseline's run with the same seed (same
 * problems, same base policy), then the mean and 95% interval of those differences. Seeds
 * without both runs, or without the metric, are left out; a pair list that ends up empty gives
 * no row.
 *
 * @example
 * pairedDifferences(runs, "grpo", "meanAtK").map((row) => [row.algorithm, row.interval.mean]);
 */
export function pairedDifferences(runs: readonly StoredRun[], baseline: string, metric: string): PairedDifference[] {
  const value = new Map<string, number>();
  const keyOf = (task: string, algorithm: string, seed: number) => `${task}\u0000${algorithm}\u0000${seed}`;
  for (const run of runs) {
    const metricValue = runMetricValues(run)[metric];
    if (typeof metricValue === "number" && Number.isFinite(metricValue)) {
      value.set(keyOf(run.config.task, run.config.algorithm, run.config.seed), metricValue);
    }
  }
  const rows: PairedDifference[] = [];
  const pairs = new Set(runs.map((run) => `${run.config.task}\u0000${run.config.algorithm}`));
  for (const pair of pairs) {
    const [task, algorithm] = pair.split("\u0000") as [string, string];
    if (algorithm === baseline) continue;
    const seeds = [...new Set(runs.filter((run) => run.config.task === task).map((run) => run.config.seed))]
      .filter((seed) => value.has(keyOf(task, algorithm, seed)) && value.has(keyOf(task, baseline, seed)))
      .sort((a, b) => a - b);
    if (seeds.length === 0) continue;
    const differences = seeds.map(
      (seed) =>
        (value.get(keyOf(task, algorithm, seed)) as number) - (value.get(keyOf(task, baseline, seed)) as number),
    );
    rows.push({ task, algorithm, baseline, metric, seeds, differences, interval: meanConfidenceInterval(differences) });
  }
  return rows;
}
