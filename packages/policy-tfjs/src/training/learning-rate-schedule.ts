import { PolicyTfjsError } from "../errors.js";

/**
 * Learning rate over optimizer steps: linear warm-up from 0, then constant, linear or cosine decay
 * to `minimum` at `totalSteps`.
 *
 * @example
 * const schedule = { peak: 1e-3, warmupSteps: 10, decay: "cosine", totalSteps: 100 } as const;
 * learningRateAt(schedule, 0); // 1e-4 (first warm-up step)
 * learningRateAt(schedule, 100); // 0
 */
export interface LearningRateSchedule {
  readonly peak: number;
  /** Steps of linear warm-up; step s < warmupSteps gets peak * (s + 1) / warmupSteps. Default 0. */
  readonly warmupSteps?: number;
  /** Default "constant". */
  readonly decay?: "constant" | "linear" | "cosine";
  /** Step at which decay reaches `minimum`; required for linear and cosine decay. */
  readonly totalSteps?: number;
  /** Floor of the decay; default 0. */
  readonly minimum?: number;
}

/** The learning rate for 0-based optimizer step `step`. */
export function learningRateAt(schedule: LearningRateSchedule, step: number): number {
  const warmup = schedule.warmupSteps ?? 0;
  const minimum = schedule.minimum ?? 0;
  const decay = schedule.decay ?? "constant";
  if (!(schedule.peak >= 0) || !Number.isFinite(schedule.peak)) {
    throw new PolicyTfjsError(`must be a non-negative number, got ${schedule.peak}`, "schedule.peak");
  }
  if (step < warmup) return (schedule.peak * (step + 1)) / warmup;
  if (decay === "constant") return schedule.peak;
  const total = schedule.totalSteps;
  if (total === undefined || !(total > warmup)) {
    throw new PolicyTfjsError(`${decay} decay needs totalSteps > warmupSteps (${warmup})`, "schedule.totalSteps");
  }
  const progress = Math.min(1, (step - warmup) / (total - warmup));
  const fraction = decay === "linear" ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
  return minimum + (schedule.peak - minimum) * fraction;
}
