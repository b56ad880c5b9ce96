/** Where a TRL `GRPOConfig` or verl actor/algorithm option lives in this package's options. */
export interface ForeignOptionName {
  /** The option here, as a path in `PresetOverrides` (for example "loss.clipHigh"). */
  readonly option: string;
  /** What differs, when the two are not the same thing. */
  readonly note?: string;
}

/**
 * TRL and verl option names with their counterparts here (the table of the README), so a config
 * reader can answer a familiar name in the wrong place with "did you mean ...". Keys are written as
 * those libraries spell them; look them up with {@link optionForForeignName}, which also accepts
 * camelCase spellings.
 */
export const trlVerlOptionNames: Readonly<Record<string, ForeignOptionName>> = {
  beta: { option: "loss.klCoefficient", note: "TRL's beta is the KL coefficient" },
  kl_loss_coef: { option: "loss.klCoefficient" },
  kl_coef: {
    option: "loss.klCoefficient",
    note: "verl's kl_coef is a KL penalty in the reward; here KL is a loss term",
  },
  kl_loss_type: { option: "loss.klEstimator", note: "kl = 'k1', mse = 'k2', low_var_kl = 'k3'" },
  epsilon: { option: "loss.clipLow", note: "TRL's epsilon is the clip range" },
  clip_ratio: { option: "loss.clipLow" },
  clip_ratio_low: { option: "loss.clipLow" },
  epsilon_high: { option: "loss.clipHigh" },
  clip_ratio_high: { option: "loss.clipHigh" },
  clip_ratio_c: { option: "loss.dualClip" },
  delta: {
    option: "loss.dualClip",
    note: "TRL's delta caps every token's ratio; dualClip bounds only negative-advantage tokens",
  },
  loss_type: { option: "loss.lossAggregation", note: "grpo, dapo / bnpo, dr_grpo" },
  loss_agg_mode: { option: "loss.lossAggregation" },
  entropy_coeff: { option: "loss.entropyCoefficient" },
  entropy_coef: { option: "loss.entropyCoefficient" },
  scale_rewards: { option: "advantage.scaleRewards" },
  norm_adv_by_std_in_grpo: { option: "advantage.scaleRewards", note: "true = 'group', false = 'none'" },
  mask_truncated_completions: { option: "maskTruncated" },
  filter_groups: {
    option: "dropZeroVarianceGroups",
    note: "drops zero-variance groups without refilling the batch",
  },
};

const byFoldedName = new Map(
  Object.entries(trlVerlOptionNames).map(([name, target]) => [fold(name), { name, ...target }] as const),
);

function fold(name: string): string {
  return name.toLowerCase().replaceAll("_", "");
}

/**
 * The option here that a TRL or verl name (snake_case or camelCase, the last segment of a dotted
 * path) stands for, or undefined when it is not one of theirs.
 *
 * @example
 * optionForForeignName("epsilon_high"); // { name: "epsilon_high", option: "loss.clipHigh" }
 * optionForForeignName("actor.clipRatioC")?.option; // "loss.dualClip"
 */
export function optionForForeignName(name: string): (ForeignOptionName & { readonly name: string }) | undefined {
  const last = name.split(".").at(-1) ?? name;
  return byFoldedName.get(fold(last));
}
