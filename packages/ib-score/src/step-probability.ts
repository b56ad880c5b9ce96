import { checkChoice } from "./check-choice.js";
import type { NodeId, ReasoningTree } from "./reasoning-tree.js";

/**
 * How a multi-token step's probability pi(c) is formed from its token log-probs (docs/METHOD.md
 * section 3.1, a project choice): 'geometric' = exp(mean token log-prob), so steps of different
 * lengths are comparable; 'product' = exp(sum of token log-probs), the literal probability.
 */
export const stepProbabilityModes = ["geometric", "product"] as const;

/** One of {@link stepProbabilityModes}. */
export type StepProbabilityMode = (typeof stepProbabilityModes)[number];

/** Throw a clear error unless `mode` is one of {@link stepProbabilityModes}. */
export function checkStepProbabilityMode(mode: unknown, location = "option stepProbability"): StepProbabilityMode {
  return checkChoice(mode, stepProbabilityModes, "stepProbability", location);
}

/**
 * pi(c): the probability of the step at `node` under the sampling policy, from its per-token
 * log-probs (means over the node's draws). 'geometric': exp(mean log-prob); 'product':
 * exp(sum of log-probs). NaN when the step carries no log-probs.
 *
 * @example
 * const c = tree.addStep(tree.root, { tokens: [1, 2], logprobs: [-0.2, -0.4] });
 * stepProbability(tree, c, "geometric"); // exp(-0.3)
 * stepProbability(tree, c, "product"); // exp(-0.6)
 */
export function stepProbability(tree: ReasoningTree, node: NodeId, mode: StepProbabilityMode): number {
  const logprobSum = -tree.stepSurprisalSum(node);
  return mode === "geometric" ? Math.exp(logprobSum / tree.tokenCount(node)) : Math.exp(logprobSum);
}
