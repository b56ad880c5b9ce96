import { type MeanWithInterval, meanConfidenceInterval } from "./confidence-interval.js";
import type { StoredRun } from "./run-folder.js";

/** Mean and 95% interval of each reported metric for one (task, algorithm) over its seeds. */
export interface SummaryRow {
  readonly task: string;
  readonly algorithm: string;
  readonly seeds: readonly number[];
  readonly metrics: Readonly<Record<string, MeanWithInterval>>;
}

/** Labels of the summary metrics, in report order; pass@k keys are added per k. */
export const SUMMARY_METRIC_LABELS: Readonly<Record<string, string>> = {
  passAt1Greedy: "pass@1 (greedy)",
  meanAtK: "mean@k",
  answerDiversity: "answer diversity",
  meanTokens: "mean tokens",
  testIbScore: "IB-Score of samples",
  trainingTokens: "training tokens",
  trajectoriesPer1kTokens: "traj. / 1k tokens",
};

/** The per-run value of each summary metric (null when the run does not have it). */
function runMetricValues(run: StoredRun): Record<string, number | null> {
  const { evaluation, history } = run;
  const values: Record<string, number | null> = {
    passAt1Greedy: evaluation.passAt1Greedy ?? null,
    meanAtK: evaluation.meanAtK ?? null,
  };
  for (const [k, value] of Object.entries(evaluation.passAtK)) values[`pass@${k}`] = value;
  values.answerDiversity = evaluation.answerDiversity ?? null;
  values.meanTokens = evaluation.meanTokens ?? null;
  values.testIbScore = evaluation.sampleIbScore?.ibScore ?? null;
  values.trainingTokens = history.reduce((sum, step) => sum + step.generatedTokens, 0);
  const rates = history.flatMap((step) =>
    typeof step.trajectoriesPer1kTokens === "number" ? [step.trajectoriesPer1kTokens] : [],
  );
  values.trajectoriesPer1kTokens = rates.length > 0 ? rates.reduce((a, b) => a + b, 0) / rates.length : null;
  return values;
}

/**
 * Groups runs by (task, algorithm) and gives each metric's mean and 95% t-interval over seeds;
 * a metric enters a row only when every seed has it. Rows come in first-seen order.
 *
 * @example
 * summarizeRuns(runs).find((row) => row.algorithm === "ib-tpo")?.metrics["pass@16"]?.mean;
 */
export function summarizeRuns(runs: readonly StoredRun[]): SummaryRow[] {
  const groups = new Map<string, StoredRun[]>();
  for (const run of runs) {
    const key = `${run.config.task}\u0000${run.config.algorithm}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as StoredRun;
    const perRun = group.map(runMetricValues);
    const metrics: Record<string, MeanWithInterval> = {};
    for (const name of Object.keys(perRun[0] ?? {})) {
      const values = perRun.map((values) => values[name]);
      if (values.every((value): value is number => typeof value === "number" && Number.isFinite(value))) {
        metrics[name] = meanConfidenceInterval(values);
      }
    }
    return {
      task: first.config.task,
      algorithm: first.config.algorithm,
      seeds: group.map((run) => run.config.seed),
      metrics,
    };
  });
}
