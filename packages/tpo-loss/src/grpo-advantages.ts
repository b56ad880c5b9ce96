import { renameDeprecatedOptions } from "./deprecated-options.js";
import { requireAtLeast, requireOneOf } from "./errors.js";
import { checkGroupLayout, meanAndStd } from "./group-layout.js";
import { type RewardScaling, rewardScalings } from "./option-choices.js";

export interface GrpoAdvantageOptions {
  /** 'group' (GRPO, default), 'batch' (std over the whole batch), 'none' (Dr.GRPO). */
  readonly scaleRewards?: RewardScaling;
  /** Added to the reward standard deviation before dividing. Default 1e-4 (TRL's fixed value). */
  readonly stdEpsilon?: number;
  /**
   * @deprecated Use `stdEpsilon`; `epsilon` is TRL's clip range (here `clipLow`), so the old name
   * misled. Still accepted, with a warning.
   */
  readonly epsilon?: number;
}

export interface ResolvedGrpoAdvantageOptions {
  readonly scaleRewards: RewardScaling;
  readonly stdEpsilon: number;
}

export const defaultGrpoAdvantageOptions: ResolvedGrpoAdvantageOptions = { scaleRewards: "group", stdEpsilon: 1e-4 };

/** The GRPO options that were renamed; the old names still work and warn once. */
export const grpoOptionRenames = [
  {
    from: "epsilon",
    to: "stdEpsilon",
    reason: "it is added to the reward std; TRL's epsilon is the clip range, here loss.clipLow",
  },
] as const;

/** Fill in defaults (moving deprecated names to their new ones) and reject meaningless values. */
export function resolveGrpoAdvantageOptions(
  given: GrpoAdvantageOptions = {},
  scope = "",
): ResolvedGrpoAdvantageOptions {
  const options = renameDeprecatedOptions(given, grpoOptionRenames, scope);
  return {
    scaleRewards: requireOneOf(
      options.scaleRewards ?? defaultGrpoAdvantageOptions.scaleRewards,
      rewardScalings,
      `${scope}scaleRewards`,
    ),
    stdEpsilon: requireAtLeast(options.stdEpsilon ?? defaultGrpoAdvantageOptions.stdEpsilon, 0, `${scope}stdEpsilon`),
  };
}

/**
 * GRPO advantages, one per response: A_i = (r_i - mean_g) / (std + stdEpsilon), where mean_g is the
 * mean of the response's group and std is the Bessel-corrected standard deviation of the group
 * ('group'), of the whole batch ('batch'), or 1 with no stdEpsilon ('none', Dr.GRPO).
 *
 * Semantics follow TRL's GRPOTrainer: a group whose rewards are all equal gets 0 (its centred
 * rewards are 0). A singleton group also gets 0, where TRL would divide by a NaN std; verl
 * instead uses mean 0, std 1 for singletons, i.e. passes the raw reward through.
 *
 * @param rewards one reward per response, laid out group after group
 * @param groupSizes number of responses in each group (one group per prompt)
 * @example
 * grpoAdvantages([1, 0, 0, 1, 1, 1], [4, 2]);
 * // group 0: mean 0.5, std 0.57735 -> [0.8659, -0.8659, -0.8659, 0.8659]; group 1: [0, 0]
 */
export function grpoAdvantages(
  rewards: ArrayLike<number>,
  groupSizes: ArrayLike<number>,
  options?: GrpoAdvantageOptions,
): Float64Array {
  const { scaleRewards, stdEpsilon } = resolveGrpoAdvantageOptions(options);
  const sizes = checkGroupLayout(rewards, groupSizes);
  const advantages = new Float64Array(rewards.length);
  const batchStd = scaleRewards === "batch" ? meanAndStd(rewards, 0, rewards.length).std : 0;
  let start = 0;
  for (const size of sizes) {
    const { mean, std } = meanAndStd(rewards, start, size);
    const divisor = scaleRewards === "none" ? 1 : (scaleRewards === "group" ? std : batchStd) + stdEpsilon;
    // Centred rewards of a singleton or zero-variance group are exactly 0; skipping the division
    // keeps them 0 even when stdEpsilon is 0.
    if (size >= 2 && std > 0) {
      for (let index = start; index < start + size; index++) {
        advantages[index] = ((rewards[index] as number) - mean) / divisor;
      }
    }
    start += size;
  }
  return advantages;
}

/**
 * Dr.GRPO advantages: rewards centred on their group mean, not divided by any std
 * (`grpoAdvantages` with `scaleRewards: 'none'`).
 *
 * @example
 * drGrpoAdvantages([1, 0, 0, 1], [4]); // [0.5, -0.5, -0.5, 0.5]
 */
export function drGrpoAdvantages(rewards: ArrayLike<number>, groupSizes: ArrayLike<number>): Float64Array {
  return grpoAdvantages(rewards, groupSizes, { scaleRewards: "none" });
}
