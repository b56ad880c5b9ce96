import { BUILTIN_TASK_NAMES } from "@ibtpo/bench-harness";
import { BACKEND_ORDER } from "@ibtpo/policy-tfjs";
import {
  advantageEstimatorNames,
  defaultGrpoAdvantageOptions,
  defaultStepAdvantageOptions,
  ibAdvantageForms,
  informationGates,
  klEstimators,
  leafNormalisations,
  lossAggregations,
  presetNames,
  type ResolvedGrpoAdvantageOptions,
  type ResolvedStepAdvantageOptions,
  rewardScalings,
  stepProbabilityModes,
  stepSurprisalModes,
  tokenWeightings,
  treeRewardScales,
  valueEstimates,
} from "@ibtpo/tpo-loss";
import { SAMPLER_KINDS } from "@ibtpo/tree-sampler";

/**
 * The name lists the trainer accepts, each the exporting package's own array (not a copy), so a
 * preset, task, backend, sampler or option value added in its package is accepted, listed in
 * `--help` and named in errors here without an edit.
 */
export const ALGORITHMS = presetNames;
export const TASKS = BUILTIN_TASK_NAMES;
/** "auto" tries the package's backends in order. */
export const BACKENDS = ["auto", ...BACKEND_ORDER] as const;
export const SAMPLERS = SAMPLER_KINDS;
export const ESTIMATORS = advantageEstimatorNames;
export const LOSS_AGGREGATIONS = lossAggregations;
export const KL_ESTIMATORS = klEstimators;
export const TOKEN_WEIGHTINGS = tokenWeightings;

/** Every advantage option (GRPO's and the tree estimators'), with its default, from tpo-loss. */
export const ADVANTAGE_DEFAULTS = { ...defaultGrpoAdvantageOptions, ...defaultStepAdvantageOptions };

type AdvantageOption = keyof ResolvedGrpoAdvantageOptions | keyof ResolvedStepAdvantageOptions;
type ChoiceOption = {
  [Key in AdvantageOption]: (typeof ADVANTAGE_DEFAULTS)[Key] extends string ? Key : never;
}[AdvantageOption];

/**
 * The value list of every string-valued advantage option. Typed over the options tpo-loss
 * resolves, so a new string option there does not compile until its list is named here.
 */
export const ADVANTAGE_CHOICES: { readonly [Key in ChoiceOption]: readonly (typeof ADVANTAGE_DEFAULTS)[Key][] } = {
  scaleRewards: rewardScalings,
  ibAdvantage: ibAdvantageForms,
  stepProbability: stepProbabilityModes,
  rewardScale: treeRewardScales,
  informationGate: informationGates,
  valueEstimate: valueEstimates,
  leafNorm: leafNormalisations,
  surprisal: stepSurprisalModes,
};
