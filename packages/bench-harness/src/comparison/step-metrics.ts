import { BenchHarnessError } from "../errors.js";
/**
 * Diagnostics of one RL step (docs/METHOD.md section 7), one JSON object per line of metrics.jsonl.
 * `step`, `generatedTokens` and `accuracy` are required; a metric a method does not have is
 * null or absent. Unknown keys are kept.
 *
 * @example
 * { "step": 3, "generatedTokens": 8192, "accuracy": 0.31, "effRate": 0.6, "entropy": 0.42,
 *   "ibScore": 0.51, "ibH": 0.44, "ibI": 0.07, "trajectories": 96, "trajectoriesPer1kTokens": 11.7 }
 */
export interface StepMetrics {
  readonly step: number;
  /** Tokens generated during this step (not cumulative). */
  readonly generatedTokens: number;
  /** Mean reward of the step's trajectories. */
  readonly accuracy: number;
  /** Avg-Rate (METHOD.md 3.3): the mean reward of the sampled trajectories, as IB-Score's batch summary reports it. */
  readonly avgRate?: number | null;
  /** Held-out (validation split) pass@1 when the trainer evaluated at this step, else null or absent. */
  readonly validationAccuracy?: number | null;
  /** Share of prompts whose trajectories have non-zero reward variance. */
  readonly effRate?: number | null;
  /** Mean token entropy (nats). */
  readonly entropy?: number | null;
  /** The batch's IB-Score: J of the paper form (METHOD.md 3.1) by default, H + beta I in the Shannon form. */
  readonly ibScore?: number | null;
  /** Paper form: Cov(eta1, eta2), the balance diagnostic beside J. */
  readonly ibCov?: number | null;
  /** Paper form: the mean confidence pbar of the branches. */
  readonly ibConfidence?: number | null;
  /** The diversity part H of the Shannon IB-Score. */
  readonly ibH?: number | null;
  /** The information part I of the Shannon IB-Score. */
  readonly ibI?: number | null;
  readonly trajectories?: number | null;
  readonly trajectoriesPer1kTokens?: number | null;
  readonly loss?: number | null;
  readonly clipFraction?: number | null;
  readonly kl?: number | null;
  readonly gradNorm?: number | null;
  readonly learningRate?: number | null;
  readonly samplingSeconds?: number | null;
  readonly scoringSeconds?: number | null;
  readonly updateSeconds?: number | null;
  readonly [extra: string]: unknown;
}

/** The optional numeric metrics, in the order reports list them. */
export const OPTIONAL_METRIC_NAMES = [
  "validationAccuracy",
  "avgRate",
  "effRate",
  "entropy",
  "ibScore",
  "ibCov",
  "ibConfidence",
  "ibH",
  "ibI",
  "trajectories",
  "trajectoriesPer1kTokens",
  "loss",
  "clipFraction",
  "kl",
  "gradNorm",
  "learningRate",
  "samplingSeconds",
  "scoringSeconds",
  "updateSeconds",
] as const;

/** Checks one parsed metrics object; `where` (file:line) prefixes every error. */
export function checkedStepMetrics(value: unknown, where: string): StepMetrics {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new BenchHarnessError(`expected a JSON object`, where);
  const record = value as Record<string, unknown>;
  for (const key of ["step", "generatedTokens", "accuracy"]) {
    if (typeof record[key] !== "number" || !Number.isFinite(record[key])) {
      throw new BenchHarnessError(`"${key}" must be a finite number, got ${JSON.stringify(record[key])}`, where);
    }
  }
  for (const key of OPTIONAL_METRIC_NAMES) {
    const metric = record[key];
    if (metric !== undefined && metric !== null && (typeof metric !== "number" || !Number.isFinite(metric))) {
      throw new BenchHarnessError(`"${key}" must be a finite number or null, got ${JSON.stringify(metric)}`, where);
    }
  }
  return record as StepMetrics;
}
