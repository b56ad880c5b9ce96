import { renameDeprecatedOptions } from "./deprecated-options.js";
import { requireAtLeast, requireFinite, requireOneOf, TpoLossInputError } from "./errors.js";
import {
  type IbAdvantageForm,
  type InformationGate,
  ibAdvantageForms,
  informationGates,
  type LeafNormalisation,
  leafNormalisations,
  type StepProbabilityMode,
  type StepSurprisalMode,
  stepProbabilityModes,
  stepSurprisalModes,
  type TreeRewardScale,
  treeRewardScales,
  type ValueEstimate,
  valueEstimates,
} from "./option-choices.js";

/** Options of the step-level tree advantages (docs/METHOD.md section 5). */
export interface StepAdvantageOptions {
  /** Form of the local IB advantage A_IB: 'paper' (default, docs/METHOD.md 5.1) or 'score-function' (5.2). */
  readonly ibAdvantage?: IbAdvantageForm;
  /** lambda, the weight of A_IB in A = A_GL + lambda A_IB. Default 0.1 (the paper's). */
  readonly lambda?: number;
  /**
   * The paper's IB trade-off beta, the weight of the information term (J_IB = H + beta I). Paper
   * form: A_IB = (r - (1 + 1/beta)) pi_old, so it must be > 0; score-function form:
   * A_IB = A_H + beta A_I. Default 5 (the paper's).
   */
  readonly informationWeight?: number;
  /**
   * @deprecated Use `informationWeight`; `beta` is the KL coefficient in TRL and verl (here
   * `loss.klCoefficient`), so the old name misled. Still accepted, with a warning.
   */
  readonly beta?: number;
  /** How pi_old(s) is formed from the step's token log-probs (paper form). Default 'geometric'. */
  readonly stepProbability?: StepProbabilityMode;
  /** What divides A_GL and A_LV: 'tree-std' (default, std of the tree's rewards + stdEpsilon) or 'none'. */
  readonly rewardScale?: TreeRewardScale;
  /** Added to the tree's reward std under `rewardScale: 'tree-std'`. Default 1e-4 (as GRPO's). */
  readonly stdEpsilon?: number;
  /** 'always' (default), or 'reward-variance': A_IB = 0 in a tree whose rewards are all equal. */
  readonly informationGate?: InformationGate;
  /** Pseudo-count of the values in the score-function form's A_I. Default 0.5 (Jeffreys). */
  readonly informationAlpha?: number;
  /** Pseudo-count of the values used by A_GL and A_LV. Default 0 (the paper's p-hat, TreeRL's V). */
  readonly valueAlpha?: number;
  /**
   * How the values of A_GL, A_LV and the paper form's r(s) are estimated: 'leaf-mean' (default, the
   * paper's p-hat: the mean reward of the trajectories below the node) or 'draw-weighted' (each
   * draw at a node counts once, so a branched child does not outweigh its siblings).
   */
  readonly valueEstimate?: ValueEstimate;
  /** Weight of TreeRL's local value term A_LV = v(s) - v(parent). Default 0. */
  readonly localValue?: number;
  /** 'none' (default) leaves A(s); 'sqrt' divides it by sqrt(traj(s)) (TreeRL). */
  readonly leafNorm?: LeafNormalisation;
  /** Step surprisal of the score-function form's A_H: the mean (default) or the sum of the tokens' -log p. */
  readonly surprisal?: StepSurprisalMode;
}

/** {@link StepAdvantageOptions} with every default filled in (deprecated names moved to their new ones). */
export type ResolvedStepAdvantageOptions = Required<Omit<StepAdvantageOptions, "beta">>;

/** The IB-TPO defaults: the paper's form (docs/METHOD.md 5.1). */
export const defaultStepAdvantageOptions: ResolvedStepAdvantageOptions = {
  ibAdvantage: "paper",
  lambda: 0.1,
  informationWeight: 5,
  stepProbability: "geometric",
  rewardScale: "tree-std",
  stdEpsilon: 1e-4,
  informationGate: "always",
  informationAlpha: 0.5,
  valueAlpha: 0,
  valueEstimate: "leaf-mean",
  localValue: 0,
  leafNorm: "none",
  surprisal: "token-mean",
};

/** The step-advantage options that were renamed; the old names still work and warn once. */
export const stepOptionRenames = [
  {
    from: "beta",
    to: "informationWeight",
    reason: "the weight of the information term; TRL's and verl's beta is the KL coefficient, here loss.klCoefficient",
  },
] as const;

/**
 * Fill in defaults (the IB-TPO paper form unless `defaults` says otherwise), move deprecated names
 * to their new ones, and reject values that make the advantages meaningless. `scope` prefixes the
 * option names in messages (for example "advantage.").
 *
 * @example
 * resolveStepAdvantageOptions({ ibAdvantage: "score-function", informationWeight: 1 });
 */
export function resolveStepAdvantageOptions(
  given: StepAdvantageOptions = {},
  defaults: ResolvedStepAdvantageOptions = defaultStepAdvantageOptions,
  scope = "",
): ResolvedStepAdvantageOptions {
  const options = renameDeprecatedOptions(given, stepOptionRenames, scope);
  const key = (name: string) => `${scope}${name}`;
  const ibAdvantage = requireOneOf(options.ibAdvantage ?? defaults.ibAdvantage, ibAdvantageForms, key("ibAdvantage"));
  const informationWeight = requireFinite(
    options.informationWeight ?? defaults.informationWeight,
    key("informationWeight"),
  );
  if (ibAdvantage === "paper" && !(informationWeight > 0)) {
    throw new TpoLossInputError(
      `must be > 0 in the paper form (A_IB uses 1 + 1/informationWeight), got ${informationWeight}`,
      `option ${key("informationWeight")}`,
    );
  }
  return {
    ibAdvantage,
    lambda: requireFinite(options.lambda ?? defaults.lambda, key("lambda")),
    informationWeight,
    stepProbability: requireOneOf(
      options.stepProbability ?? defaults.stepProbability,
      stepProbabilityModes,
      key("stepProbability"),
    ),
    rewardScale: requireOneOf(options.rewardScale ?? defaults.rewardScale, treeRewardScales, key("rewardScale")),
    stdEpsilon: requireAtLeast(options.stdEpsilon ?? defaults.stdEpsilon, 0, key("stdEpsilon")),
    informationGate: requireOneOf(
      options.informationGate ?? defaults.informationGate,
      informationGates,
      key("informationGate"),
    ),
    informationAlpha: requireAtLeast(options.informationAlpha ?? defaults.informationAlpha, 0, key("informationAlpha")),
    valueAlpha: requireAtLeast(options.valueAlpha ?? defaults.valueAlpha, 0, key("valueAlpha")),
    valueEstimate: requireOneOf(options.valueEstimate ?? defaults.valueEstimate, valueEstimates, key("valueEstimate")),
    localValue: requireFinite(options.localValue ?? defaults.localValue, key("localValue")),
    leafNorm: requireOneOf(options.leafNorm ?? defaults.leafNorm, leafNormalisations, key("leafNorm")),
    surprisal: requireOneOf(options.surprisal ?? defaults.surprisal, stepSurprisalModes, key("surprisal")),
  };
}
