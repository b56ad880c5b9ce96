import type { AdvantageEstimator } from "./advantage-estimator.js";
import { grpoEstimator, stepEstimator } from "./advantage-estimator.js";
import { requireOneOf, TpoLossInputError } from "./errors.js";
import {
  defaultGrpoAdvantageOptions,
  type GrpoAdvantageOptions,
  type ResolvedGrpoAdvantageOptions,
  resolveGrpoAdvantageOptions,
} from "./grpo-advantages.js";
import { type PolicyLossOptions, type ResolvedPolicyLossOptions, resolvePolicyLossOptions } from "./loss-options.js";
import {
  type AdvantageEstimatorName,
  advantageEstimatorNames,
  type SamplerKind,
  samplerKinds,
  type TokenWeighting,
  tokenWeightings,
} from "./option-choices.js";
import {
  defaultStepAdvantageOptions,
  type ResolvedStepAdvantageOptions,
  resolveStepAdvantageOptions,
  type StepAdvantageOptions,
} from "./step-advantage-options.js";

export type PresetName = "grpo" | "dr-grpo" | "dapo" | "grpo-entropy" | "grpo-clip-higher" | "treerl" | "ib-tpo";

/** The advantage estimator of a preset and its resolved options. */
export type AdvantageSettings =
  | ({ readonly estimator: "grpo" } & ResolvedGrpoAdvantageOptions)
  | ({ readonly estimator: Exclude<AdvantageEstimatorName, "grpo"> } & ResolvedStepAdvantageOptions);

export type AdvantageOverrides = { readonly estimator?: AdvantageEstimatorName } & GrpoAdvantageOptions &
  StepAdvantageOptions;

/** Everything a trainer needs to run one algorithm. */
export interface TrainingPreset {
  readonly name: PresetName;
  readonly sampler: SamplerKind;
  readonly advantage: AdvantageSettings;
  readonly loss: ResolvedPolicyLossOptions;
  /** Drop groups (trees) whose rewards are all equal before the update (DAPO). */
  readonly dynamicSampling: boolean;
  readonly tokenWeighting: TokenWeighting;
}

export interface PresetOverrides {
  readonly sampler?: SamplerKind;
  readonly advantage?: AdvantageOverrides;
  readonly loss?: PolicyLossOptions;
  readonly dynamicSampling?: boolean;
  readonly tokenWeighting?: TokenWeighting;
}

interface PresetDefinition {
  readonly sampler: SamplerKind;
  readonly advantage: { readonly estimator: AdvantageSettings["estimator"] } & AdvantageOverrides;
  readonly loss: PolicyLossOptions;
  readonly dynamicSampling: boolean;
  readonly tokenWeighting: TokenWeighting;
}

const chains = { sampler: "chains", dynamicSampling: false, tokenWeighting: "per-trajectory" } as const;

const definitions: Record<PresetName, PresetDefinition> = {
  grpo: { ...chains, advantage: { estimator: "grpo" }, loss: { lossAggregation: "seq-mean-token-mean" } },
  "dr-grpo": {
    ...chains,
    advantage: { estimator: "grpo", scaleRewards: "none" },
    loss: { lossAggregation: "seq-mean-token-sum-norm" },
  },
  dapo: {
    ...chains,
    dynamicSampling: true,
    advantage: { estimator: "grpo" },
    loss: { clipLow: 0.2, clipHigh: 0.28, lossAggregation: "token-mean" },
  },
  "grpo-entropy": {
    ...chains,
    advantage: { estimator: "grpo" },
    loss: { lossAggregation: "seq-mean-token-mean", entropyCoefficient: 0.001 },
  },
  "grpo-clip-higher": {
    ...chains,
    advantage: { estimator: "grpo" },
    loss: { clipLow: 0.2, clipHigh: 0.28, lossAggregation: "seq-mean-token-mean" },
  },
  treerl: {
    sampler: "entropy-tree",
    dynamicSampling: false,
    tokenWeighting: "per-trajectory",
    advantage: { estimator: "treerl" },
    loss: { lossAggregation: "token-mean" },
  },
  "ib-tpo": {
    sampler: "ib-tree",
    dynamicSampling: false,
    tokenWeighting: "dedup",
    advantage: { estimator: "ib-tpo" },
    loss: { lossAggregation: "token-mean" },
  },
};

export const presetNames = Object.keys(definitions) as PresetName[];

const grpoKeys = ["scaleRewards", "epsilon"] as const;
const stepKeys = Object.keys(defaultStepAdvantageOptions) as (keyof StepAdvantageOptions)[];

/**
 * A named preset (advantage estimator, loss options, sampler), with overrides merged in.
 *
 * @example
 * const dapo = trainingPreset("dapo");            // clip 0.2 / 0.28, token-mean, dynamic sampling
 * const ibTpo = trainingPreset("ib-tpo", { advantage: { lambda: 0.2 }, loss: { klCoefficient: 0.001 } });
 * const estimator = createAdvantageEstimator(ibTpo.advantage);
 */
export function trainingPreset(name: PresetName, overrides: PresetOverrides = {}): TrainingPreset {
  const definition = definitions[name];
  if (definition === undefined) {
    throw new TpoLossInputError(`unknown preset '${String(name)}'; known: ${presetNames.join(", ")}`, "preset");
  }
  const requested = overrides.advantage ?? {};
  const estimator = requested.estimator ?? definition.advantage.estimator;
  // Switching estimator starts from that estimator's defaults, not from the preset's numbers.
  const base = estimator === definition.advantage.estimator ? definition.advantage : {};
  const advantage = resolveAdvantageSettings(estimator, { ...base, ...requested });
  const tokenWeighting = requireOneOf(
    overrides.tokenWeighting ?? definition.tokenWeighting,
    tokenWeightings,
    "tokenWeighting",
  );
  if (advantage.estimator === "grpo" && tokenWeighting === "dedup") {
    throw new TpoLossInputError(
      "'dedup' needs a step-level estimator; 'grpo' gives one advantage per response",
      "option tokenWeighting",
    );
  }
  return {
    name,
    sampler: requireOneOf(overrides.sampler ?? definition.sampler, samplerKinds, "sampler"),
    advantage,
    loss: resolvePolicyLossOptions({ ...definition.loss, ...overrides.loss }),
    dynamicSampling: overrides.dynamicSampling ?? definition.dynamicSampling,
    tokenWeighting,
  };
}

function resolveAdvantageSettings(
  estimator: AdvantageSettings["estimator"],
  options: AdvantageOverrides,
): AdvantageSettings {
  const foreign = (estimator === "grpo" ? stepKeys : grpoKeys).filter((key) => options[key] !== undefined);
  if (foreign.length > 0) {
    throw new TpoLossInputError(`does not apply to estimator '${estimator}'`, `option advantage.${foreign[0]}`);
  }
  if (estimator === "grpo")
    return { estimator, ...resolveGrpoAdvantageOptions({ ...defaultGrpoAdvantageOptions, ...options }) };
  if (estimator === "treerl") {
    return {
      estimator,
      ...resolveStepAdvantageOptions(options, { ...defaultStepAdvantageOptions, lambda: 0, localValue: 1 }),
    };
  }
  if (estimator === "ib-tpo") return { estimator, ...resolveStepAdvantageOptions(options) };
  throw new TpoLossInputError(
    `unknown estimator '${String(estimator)}'; known: ${advantageEstimatorNames.join(", ")}`,
    "option advantage.estimator",
  );
}

/**
 * Build the estimator a preset's advantage settings describe.
 *
 * @example
 * const estimator = createAdvantageEstimator(trainingPreset("treerl").advantage);
 */
export function createAdvantageEstimator(settings: AdvantageSettings): AdvantageEstimator {
  if (settings.estimator === "grpo") return grpoEstimator(settings);
  const { estimator, ...step } = settings;
  return stepEstimator(estimator, resolveStepAdvantageOptions(step));
}
