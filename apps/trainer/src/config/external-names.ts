import { externalOptionName } from "@ibtpo/tpo-loss";

// TRL/verl names whose counterpart is a trainer key rather than a tpo-loss option.
const trainerKeys: Readonly<Record<string, string>> = {
  num_iterations: "optimizer.epochs",
  ppo_epochs: "optimizer.epochs",
  num_generations: "budget",
  rollout_n: "budget",
};

/**
 * "did you mean" for a config key that is a TRL or verl option name (tpo-loss's
 * `externalOptionNames`), or undefined when it is not one.
 *
 * @example
 * didYouMean("beta"); // 'did you mean "loss.klCoefficient"? (TRL\'s beta: the KL penalty coefficient)'
 */
export function didYouMean(key: string): string | undefined {
  const entry = externalOptionName(key);
  if (entry === undefined) return undefined;
  const ours = entry.ours ?? trainerKeys[entry.name];
  const theirs = `${entry.trainer}'s ${entry.name}: ${entry.note}`;
  return ours === undefined ? `(${theirs})` : `did you mean "${ours}"? (${theirs})`;
}
