/** An option name of TRL's `GRPOConfig` or verl's actor config and the key that does its job here. */
export interface ExternalOptionName {
  /** The name as TRL or verl spell it (verl: the last part of `actor_rollout_ref.actor.*`, `algorithm.*`). */
  readonly name: string;
  readonly trainer: "TRL" | "verl" | "TRL, verl";
  /** Our key, as a path of the trainer config / `PresetOverrides`; null when nothing here does that job. */
  readonly ours: string | null;
  /** How the values correspond, or why there is no counterpart. */
  readonly note: string;
}

/**
 * TRL `GRPOConfig` and verl actor names mapped to this package's option keys (the paths of
 * {@link PresetOverrides}). Two of them collide with ours: TRL's `beta` is the KL coefficient
 * (our old `advantage.beta` weighed the information term, now `advantage.informationWeight`), and
 * TRL's `epsilon` is the clip range (our old `advantage.epsilon` was the std epsilon, now
 * `advantage.stdEpsilon`). Config readers use {@link externalOptionName} for "did you mean".
 *
 * @example
 * externalOptionName("kl_coef")?.ours; // "loss.klCoefficient"
 */
export const externalOptionNames: readonly ExternalOptionName[] = [
  { name: "beta", trainer: "TRL", ours: "loss.klCoefficient", note: "the KL penalty coefficient" },
  {
    name: "kl_coef",
    trainer: "verl",
    ours: "loss.klCoefficient",
    note: "actor kl_loss_coef / algorithm kl_ctrl.kl_coef",
  },
  { name: "kl_loss_coef", trainer: "verl", ours: "loss.klCoefficient", note: "the KL loss coefficient" },
  { name: "kl_loss_type", trainer: "verl", ours: "loss.klEstimator", note: "low_var_kl is k3, kl is k1, mse is k2" },
  { name: "epsilon", trainer: "TRL", ours: "loss.clipLow", note: "the lower clip range of the ratio" },
  { name: "clip_ratio", trainer: "verl", ours: "loss.clipLow", note: "sets both ends in verl; set loss.clipHigh too" },
  { name: "clip_ratio_low", trainer: "verl", ours: "loss.clipLow", note: "the lower clip range" },
  { name: "epsilon_high", trainer: "TRL", ours: "loss.clipHigh", note: "the upper clip range (clip-higher)" },
  { name: "clip_ratio_high", trainer: "verl", ours: "loss.clipHigh", note: "the upper clip range" },
  {
    name: "delta",
    trainer: "TRL",
    ours: null,
    note: "no equivalent: TRL's delta caps the ratio of every token; loss.dualClip caps the loss of A < 0 tokens only",
  },
  { name: "clip_ratio_c", trainer: "verl", ours: "loss.dualClip", note: "dual-clip constant, the same meaning" },
  {
    name: "loss_type",
    trainer: "TRL",
    ours: "loss.lossAggregation",
    note: "grpo: seq-mean-token-mean; dapo and bnpo: token-mean; dr_grpo: seq-mean-token-sum-norm",
  },
  { name: "loss_agg_mode", trainer: "verl", ours: "loss.lossAggregation", note: "the same value names" },
  { name: "entropy_coeff", trainer: "verl", ours: "loss.entropyCoefficient", note: "token-mean entropy bonus" },
  {
    name: "scale_rewards",
    trainer: "TRL",
    ours: "advantage.scaleRewards",
    note: "group, batch or none (TRL's true/false: group/none); GRPO estimators only",
  },
  {
    name: "norm_adv_by_std_in_grpo",
    trainer: "verl",
    ours: "advantage.scaleRewards",
    note: "true: group, false: none (Dr.GRPO)",
  },
  {
    name: "mask_truncated_completions",
    trainer: "TRL",
    ours: "maskTruncated",
    note: "truncated responses get train weight 0",
  },
  {
    name: "num_generations",
    trainer: "TRL",
    ours: null,
    note: "the group size; here the token budget per prompt sets it",
  },
  { name: "rollout_n", trainer: "verl", ours: null, note: "the group size; here the token budget per prompt sets it" },
  { name: "num_iterations", trainer: "TRL", ours: null, note: "PPO epochs per batch, a trainer optimizer key" },
  { name: "ppo_epochs", trainer: "verl", ours: null, note: "PPO epochs per batch, a trainer optimizer key" },
];

/**
 * The entry of {@link externalOptionNames} for `key` (its last dotted part), if it is a TRL or verl name.
 *
 * @example
 * externalOptionName("advantage.epsilon")?.ours; // "loss.clipLow"
 */
export function externalOptionName(key: string): ExternalOptionName | undefined {
  const last = key.slice(key.lastIndexOf(".") + 1);
  return externalOptionNames.find((entry) => entry.name === last);
}
