import { requireAtLeast, requireFinite, requireOneOf } from "./errors.js";

/** How the step surprisal u(s) is formed from the step's token log-probs. */
export type StepSurprisalMode = "token-mean" | "token-sum";

/** Divide a step's advantage by sqrt(traj(s)) (TreeRL) or leave it. */
export type LeafNormalisation = "sqrt" | "none";

/** Options of the step-level tree advantages (docs/METHOD.md section 5). */
export interface StepAdvantageOptions {
  /** Weight of the local IB advantage A_IB. Default 0.1 (IB-TPO). */
  readonly lambda?: number;
  /** Weight of the information part inside A_IB = A_H + beta * A_I. Default 1. */
  readonly beta?: number;
  /** Pseudo-count of the values used by the information part A_I. Default 0.5 (Jeffreys). */
  readonly informationAlpha?: number;
  /** Pseudo-count of the values used by A_GL and A_LV. Default 0 (TreeRL's V). */
  readonly valueAlpha?: number;
  /** Weight of TreeRL's local value term A_LV = v(s) - v(parent). Default 0. */
  readonly localValue?: number;
  /** 'sqrt' (default) divides A(s) by sqrt(traj(s)); 'none' leaves it. */
  readonly leafNorm?: LeafNormalisation;
  /** Step surprisal as the mean (default) or the sum of the tokens' -log p. */
  readonly surprisal?: StepSurprisalMode;
}

export type ResolvedStepAdvantageOptions = Required<StepAdvantageOptions>;

export const defaultStepAdvantageOptions: ResolvedStepAdvantageOptions = {
  lambda: 0.1,
  beta: 1,
  informationAlpha: 0.5,
  valueAlpha: 0,
  localValue: 0,
  leafNorm: "sqrt",
  surprisal: "token-mean",
};

/** Fill in the IB-TPO defaults and reject values that make the advantages meaningless. */
export function resolveStepAdvantageOptions(
  options: StepAdvantageOptions = {},
  defaults: ResolvedStepAdvantageOptions = defaultStepAdvantageOptions,
): ResolvedStepAdvantageOptions {
  return {
    lambda: requireFinite(options.lambda ?? defaults.lambda, "lambda"),
    beta: requireFinite(options.beta ?? defaults.beta, "beta"),
    informationAlpha: requireAtLeast(options.informationAlpha ?? defaults.informationAlpha, 0, "informationAlpha"),
    valueAlpha: requireAtLeast(options.valueAlpha ?? defaults.valueAlpha, 0, "valueAlpha"),
    localValue: requireFinite(options.localValue ?? defaults.localValue, "localValue"),
    leafNorm: requireOneOf(options.leafNorm ?? defaults.leafNorm, ["sqrt", "none"], "leafNorm"),
    surprisal: requireOneOf(options.surprisal ?? defaults.surprisal, ["token-mean", "token-sum"], "surprisal"),
  };
}
