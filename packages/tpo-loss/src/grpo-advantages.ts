import { requireAtLeast, requireOneOf } from "./errors.js";
import { checkGroupLayout, meanAndStd } from "./group-layout.js";
import { type RewardScaling, rewardScalings } from "./option-choices.js";

export interface GrpoAdvantageOptions {
  /** 'group' (GRPO, default), 'batch' (std over the whole batch), 'none' (Dr.GRPO). */
  readonly scaleRewards?: RewardScaling;
  /** Added to the standard deviation before dividing. Default 1e-4 (TRL). */
  readonly epsilon?: number;
}

export interface ResolvedGrpoAdvantageOptions {
  readonly scaleRewards: RewardScaling;
  readonly epsilon: number;
}

export const defaultGrpoAdvantageOptions: ResolvedGrpoAdvantageOptions = { scaleRewards: "group", epsilon: 1e-4 };

export function resolveGrpoAdvantageOptions(options: GrpoAdvantageOptions = {}): ResolvedGrpoAdvantageOptions {
  return {
    scaleRewards: requireOneOf(
      options.scaleRewards ?? defaultGrpoAdvantageOptions.scaleRewards,
      rewardScalings,
      "scaleRewards",
    ),
    epsilon: requireAtLeast(options.epsilon ?? defaultGrpoAdvantageOptions.epsilon, 0, "epsilon"),
  };
}

/**
 * GRPO advantages, one per response: A_i = (r_i - mean_g) / (std + epsilon), where mean_g is the
 * mean of the response's group and std is the Bessel-corrected standard deviation of the group
 * ('group'), of the whole batch ('batch'), or 1 with no epsilon ('none', Dr.GRPO).
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
  const { scaleRewards, epsilon } = resolveGrpoAdvantageOptions(options);
  const sizes = checkGroupLayout(rewards, groupSizes);
  const advantages = new Float64Array(rewards.length);
  const batchStd = scaleRewards === "batch" ? meanAndStd(rewards, 0, rewards.length).std : 0;
  let start = 0;
  for (const size of sizes) {
    const { mean, std } = meanAndStd(rewards, start, size);
    const divisor = scaleRewards === "none" ? 1 : (scaleRewards === "group" ? std : batchStd) + epsilon;
    // Centred rewards of a singleton or zero-variance group are exactly 0; skipping the division
    // keeps them 0 even when epsilon is 0.
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
