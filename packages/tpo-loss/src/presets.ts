import type { AdvantageEstimator } from "./advantage-estimator.js";
import { grpoEstimator, stepEstimator } from "./advantage-estimator.js";
import { renameDeprecatedOptions } from "./deprecated-options.js";
import { requireOneOf, TpoLossInputError } from "./errors.js";
import {
  defaultGrpoAdvantageOptions,
  type GrpoAdvantageOptions,
  grpoOptionRenames,
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
  stepOptionRenames,
} from "./step-advantage-options.js";
import { treeRlAdvantageDefaults } from "./treerl-advantages.js";

/** The named algorithm setups, in the order they are listed to users. */
export const presetNames = ["grpo", "dr-grpo", "dapo", "grpo-entropy", "grpo-clip-higher", "treerl", "ib-tpo"] as const;
export type PresetName = (typeof presetNames)[number];

/**
 * beta_kl of every preset: the paper trains every method with a KL term of 0.001 (docs/METHOD.md
 * sections 0 and 6). One value for all, so presets differ only in what they are named for; an
 * override (`loss.klCoefficient`) still wins. The library's own default stays 0
 * (`resolvePolicyLossOptions`), which needs no reference policy.
 */
export const presetKlCoefficient = 0.001;

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
  /**
   * Drop the groups (trees) whose rewards are all equal before the update (the `dapo` preset). It
   * does not sample more prompts to refill the batch as DAPO's dynamic sampling does: the batch
   * shrinks. Apply it with `zeroVarianceFilter` / `zeroVarianceFilterTrees`.
   */
  readonly dropZeroVarianceGroups: boolean;
  /** @deprecated The same value as `dropZeroVarianceGroups`, under its old, misleading name. */
  readonly dynamicSampling: boolean;
  readonly tokenWeighting: TokenWeighting;
  /** Truncated responses get train weight 0 (TRL's `mask_truncated_completions`). Default false. */
  readonly maskTruncated: boolean;
}

export interface PresetOverrides {
  readonly sampler?: SamplerKind;
  readonly advantage?: AdvantageOverrides;
  readonly loss?: PolicyLossOptions;
  readonly dropZeroVarianceGroups?: boolean;
  /** @deprecated Use `dropZeroVarianceGroups`; still accepted, with a warning. */
  readonly dynamicSampling?: boolean;
  readonly tokenWeighting?: TokenWeighting;
  readonly maskTruncated?: boolean;
}

interface PresetDefinition {
  readonly sampler: SamplerKind;
  readonly advantage: { readonly estimator: AdvantageSettings["estimator"] } & AdvantageOverrides;
  readonly loss: PolicyLossOptions;
  readonly dropZeroVarianceGroups: boolean;
  readonly tokenWeighting: TokenWeighting;
}

const chains = { sampler: "chains", dropZeroVarianceGroups: false, tokenWeighting: "per-trajectory" } as const;

const definitions: Record<PresetName, PresetDefinition> = {
  grpo: { ...chains, advantage: { estimator: "grpo" }, loss: { lossAggregation: "seq-mean-token-mean" } },
  "dr-grpo": {
    ...chains,
    advantage: { estimator: "grpo", scaleRewards: "none" },
    loss: { lossAggregation: "seq-mean-token-sum-norm" },
  },
  dapo: {
    ...chains,
    dropZeroVarianceGroups: true,
    advantage: { estimator: "grpo" },
    loss: { clipLow: 0.2, clipHigh: 0.28, lossAggregation: "token-mean" },
  },
  // 0.03: the bonus lifts entropy clearly above grpo's on countdown; 0.001 moved nothing and 0.1
  // made entropy run away within 15 steps (README, "Presets").
  "grpo-entropy": {
    ...chains,
    advantage: { estimator: "grpo" },
    loss: { lossAggregation: "seq-mean-token-mean", entropyCoefficient: 0.03 },
  },
  "grpo-clip-higher": {
    ...chains,
    advantage: { estimator: "grpo" },
    loss: { clipLow: 0.2, clipHigh: 0.28, lossAggregation: "seq-mean-token-mean" },
  },
  treerl: {
    sampler: "entropy-tree",
    dropZeroVarianceGroups: false,
    tokenWeighting: "per-trajectory",
    advantage: { estimator: "treerl" },
    loss: { lossAggregation: "token-mean" },
  },
  // The paper's IB-TPO (docs/METHOD.md 5.1): every default of the step advantages, one row per trajectory.
  "ib-tpo": {
    sampler: "ib-tree",
    dropZeroVarianceGroups: false,
    tokenWeighting: "per-trajectory",
    advantage: { estimator: "ib-tpo" },
    loss: { lossAggregation: "token-mean" },
  },
};

const presetOptionRenames = [
  {
    from: "dynamicSampling",
    to: "dropZeroVarianceGroups",
    reason: "it drops zero-variance groups without sampling more prompts, unlike DAPO's dynamic sampling",
  },
] as const;

const grpoKeys = [...Object.keys(defaultGrpoAdvantageOptions), ...grpoOptionRenames.map((rename) => rename.from)];
const stepKeys = [...Object.keys(defaultStepAdvantageOptions), ...stepOptionRenames.map((rename) => rename.from)];

/**
 * A named preset (advantage estimator, loss options, sampler), with overrides merged in.
 *
 * @example
 * const dapo = trainingPreset("dapo"); // clip 0.2 / 0.28, token-mean, drops zero-variance groups
 * const ibTpo = trainingPreset("ib-tpo", { advantage: { lambda: 0.2 }, loss: { klCoefficient: 0.001 } });
 * const estimator = createAdvantageEstimator(ibTpo.advantage);
 */
export function trainingPreset(name: PresetName, given: PresetOverrides = {}): TrainingPreset {
  const overrides = renameDeprecatedOptions(given, presetOptionRenames, "");
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
  const loss = resolvePolicyLossOptions({ klCoefficient: presetKlCoefficient, ...definition.loss, ...overrides.loss });
  const dropZeroVarianceGroups = overrides.dropZeroVarianceGroups ?? definition.dropZeroVarianceGroups;
  return {
    name,
    sampler: requireOneOf(overrides.sampler ?? definition.sampler, samplerKinds, "sampler"),
    advantage,
    loss,
    dropZeroVarianceGroups,
    dynamicSampling: dropZeroVarianceGroups,
    tokenWeighting,
    maskTruncated: overrides.maskTruncated ?? false,
  };
}

function resolveAdvantageSettings(
  estimator: AdvantageSettings["estimator"],
  options: AdvantageOverrides,
): AdvantageSettings {
  const own = estimator === "grpo" ? grpoKeys : stepKeys;
  const foreign = (estimator === "grpo" ? stepKeys : grpoKeys).filter(
    (key) => !own.includes(key) && (options as Record<string, unknown>)[key] !== undefined,
  );
  if (foreign.length > 0) {
    throw new TpoLossInputError(`does not apply to estimator '${estimator}'`, `option advantage.${foreign[0]}`);
  }
  if (estimator === "grpo")
    return { estimator, ...resolveGrpoAdvantageOptions(withoutEstimator(options), "advantage.") };
  if (estimator === "treerl") {
    return {
      estimator,
      ...resolveStepAdvantageOptions(withoutEstimator(options), treeRlAdvantageDefaults, "advantage."),
    };
  }
  if (estimator === "ib-tpo") {
    return {
      estimator,
      ...resolveStepAdvantageOptions(withoutEstimator(options), defaultStepAdvantageOptions, "advantage."),
    };
  }
  throw new TpoLossInputError(
    `unknown estimator '${String(estimator)}'; known: ${advantageEstimatorNames.join(", ")}`,
    "option advantage.estimator",
  );
}

function withoutEstimator(options: AdvantageOverrides): Omit<AdvantageOverrides, "estimator"> {
  const { estimator: _estimator, ...rest } = options;
  return rest;
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
  return stepEstimator(estimator, resolveStepAdvantageOptions(step, settings));
}
