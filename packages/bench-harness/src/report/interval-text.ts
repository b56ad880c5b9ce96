import type { MeanWithInterval } from "../comparison/confidence-interval.js";

/** What `formatMeanInterval` needs of an interval; bounds may be absent (one value has none). */
export type MeanIntervalLike = Pick<MeanWithInterval, "mean"> & {
  readonly low?: number | null;
  readonly high?: number | null;
};

export interface MeanIntervalTextOptions {
  /** Decimals of the mean and of both bounds (default 3). */
  readonly digits?: number;
  /** Put "+" before every number that is not negative, for differences, whose sign is the point. */
  readonly signed?: boolean;
  /**
   * The text for an absent interval (undefined or null), and for absent bounds when only the
   * bounds are asked for (default "-").
   */
  readonly missing?: string;
  /** Give only "[low, high]", for tables that show the mean in a column of its own. */
  readonly boundsOnly?: boolean;
  /**
   * When set, an absent bound is shown as this marker between the brackets ("0.500 [-, -]"), so
   * every cell of a column keeps the same shape; when not, absent bounds are left out.
   */
  readonly missingBound?: string;
}

/**
 * A mean with its confidence interval as text, "mean [low, high]", in one place so that the tables
 * and reports that print it read alike and a change of the form is made once.
 * Without bounds (fewer than two values) the mean stands alone.
 *
 * @example
 * formatMeanInterval({ mean: 0.231, low: 0.201, high: 0.261 }); // "0.231 [0.201, 0.261]"
 * formatMeanInterval({ mean: 0.027, low: -0.014, high: 0.067 }, { signed: true }); // "+0.027 [-0.014, +0.067]"
 * formatMeanInterval({ mean: 0.5, low: null, high: null }); // "0.500"
 * formatMeanInterval(undefined); // "-"
 */
export function formatMeanInterval(
  interval: MeanIntervalLike | null | undefined,
  options: MeanIntervalTextOptions = {},
): string {
  const { digits = 3, signed = false, missing = "-", boundsOnly = false, missingBound } = options;
  if (interval === null || interval === undefined) return missing;
  const number = (value: number) => `${signed && value >= 0 ? "+" : ""}${value.toFixed(digits)}`;
  const { low, high } = interval;
  const hasLow = low !== null && low !== undefined;
  const hasHigh = high !== null && high !== undefined;
  let bounds: string | null = null;
  if (missingBound !== undefined) {
    bounds = `[${hasLow ? number(low) : missingBound}, ${hasHigh ? number(high) : missingBound}]`;
  } else if (hasLow && hasHigh) {
    bounds = `[${number(low)}, ${number(high)}]`;
  }
  if (boundsOnly) return bounds ?? missing;
  const mean = number(interval.mean);
  return bounds === null ? mean : `${mean} ${bounds}`;
}
