import { meanConfidenceInterval } from "../comparison/confidence-interval.js";
import type { ChartRow } from "./chart-rows.js";

/** One point of an algorithm's curve: the mean over seeds at a step, with its 95% interval. */
export interface SeedBandPoint {
  readonly algorithm: string;
  readonly step: number;
  /** Mean cumulative generated tokens of the seeds at this step. */
  readonly tokens: number;
  readonly mean: number;
  /** The interval's ends; equal to the mean where fewer than two seeds have the step. */
  readonly low: number;
  readonly high: number;
  readonly seeds: number;
}

/**
 * Trailing moving average of a run's values over `window` steps (1 = raw). Missing values
 * (null) stay missing and are left out of their neighbours' windows, so sparse metrics such
 * as periodic validation are averaged over the evaluations that exist.
 */
export function trailingMean(values: readonly (number | null)[], window: number): (number | null)[] {
  if (!Number.isInteger(window) || window < 1)
    throw new RangeError(`smoothing window must be an integer >= 1, got ${window}`);
  const present = values.flatMap((value, index) => (value === null ? [] : [index]));
  return values.map((value, index) => {
    if (value === null) return null;
    const position = present.indexOf(index);
    const span = present.slice(Math.max(0, position - window + 1), position + 1);
    return span.reduce((sum, at) => sum + (values[at] as number), 0) / span.length;
  });
}

/**
 * The curve of `metric` per algorithm as the mean over seeds with a 95% Student's t interval
 * at each step, each run first smoothed by a trailing mean over `window` steps. A step enters
 * an algorithm's curve when at least one seed has the metric there.
 *
 * @example
 * seedBands(chartRows(runs), "accuracy", 5).filter((point) => point.algorithm === "ib-tpo");
 */
export function seedBands(rows: readonly ChartRow[], metric: string, window: number): SeedBandPoint[] {
  const runs = new Map<string, ChartRow[]>();
  for (const row of rows) {
    const key = `${row.algorithm}\u0000${row.seed}`;
    runs.set(key, [...(runs.get(key) ?? []), row]);
  }
  const byStep = new Map<string, { algorithm: string; step: number; values: number[]; tokens: number[] }>();
  for (const runRows of runs.values()) {
    const ordered = [...runRows].sort((a, b) => a.step - b.step);
    const smoothed = trailingMean(
      ordered.map((row) => (typeof row[metric] === "number" ? (row[metric] as number) : null)),
      window,
    );
    ordered.forEach((row, index) => {
      const value = smoothed[index];
      if (value === null || value === undefined) return;
      const key = `${row.algorithm}\u0000${row.step}`;
      const entry = byStep.get(key) ?? { algorithm: row.algorithm, step: row.step, values: [], tokens: [] };
      entry.values.push(value);
      entry.tokens.push(row.tokens);
      byStep.set(key, entry);
    });
  }
  return [...byStep.values()]
    .sort((a, b) => a.algorithm.localeCompare(b.algorithm) || a.step - b.step)
    .map(({ algorithm, step, values, tokens }) => {
      const interval = meanConfidenceInterval(values);
      return {
        algorithm,
        step,
        tokens: tokens.reduce((sum, value) => sum + value, 0) / tokens.length,
        mean: interval.mean,
        low: interval.low ?? interval.mean,
        high: interval.high ?? interval.mean,
        seeds: values.length,
      };
    });
}
