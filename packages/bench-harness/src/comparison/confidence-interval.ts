import { BenchHarnessError } from "../errors.js";
import { studentTQuantile } from "./student-t.js";

/** Mean of a sample with a two-sided confidence interval from Student's t. */
export interface MeanWithInterval {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (Bessel-corrected); null for n < 2. */
  readonly std: number | null;
  /** Half the interval width: t_{(1+level)/2, n-1} * std / sqrt(n); null for n < 2. */
  readonly halfWidth: number | null;
  readonly low: number | null;
  readonly high: number | null;
}

/**
 * Mean and t-distribution confidence interval (default 95%) of independent values, such as one
 * metric over seeds.
 *
 * @example
 * meanConfidenceInterval([0.2, 0.3, 0.4]).halfWidth; // 4.303 * 0.1 / sqrt(3) = 0.248
 */
export function meanConfidenceInterval(values: readonly number[], level = 0.95): MeanWithInterval {
  if (values.length === 0) throw new BenchHarnessError("no values", "meanConfidenceInterval");
  const bad = values.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) throw new BenchHarnessError(`value ${bad} is ${values[bad]}`, "meanConfidenceInterval");
  const n = values.length;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  if (n < 2) return { n, mean, std: null, halfWidth: null, low: null, high: null };
  const std = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1));
  const halfWidth = (studentTQuantile((1 + level) / 2, n - 1) * std) / Math.sqrt(n);
  return { n, mean, std, halfWidth, low: mean - halfWidth, high: mean + halfWidth };
}
