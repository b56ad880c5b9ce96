import { checkCount } from "./check-option.js";
import { TreeSamplerError } from "./errors.js";
import type { Sampler } from "./sampler.js";

export interface ChainsOptions {
  /** G: how many i.i.d. responses; Infinity means as many as the budget allows. */
  readonly responses: number;
  /** Responses requested per iteration. Default: all G at once (required when G is Infinity). */
  readonly perIteration?: number;
}

/**
 * `chains`: G independent responses from the prompt (the GRPO group), under the same budget
 * accounting as the trees. Requests cut by the budget still count towards G.
 *
 * @example
 * const grpo = chainsSampler({ responses: 8 });
 * const fillBudget = chainsSampler({ responses: Infinity, perIteration: 8 });
 */
export function chainsSampler(options: ChainsOptions): Sampler {
  const responses = checkCount(options.responses, "responses", 1, true);
  if (options.perIteration === undefined && responses === Number.POSITIVE_INFINITY) {
    throw new TreeSamplerError("is required when responses is Infinity", "option perIteration");
  }
  const perIteration = checkCount(options.perIteration ?? responses, "perIteration");
  return {
    name: `chains(G=${responses})`,
    plan({ tree }) {
      const remaining = responses - tree.trajectories;
      return remaining > 0 ? [{ node: tree.root, branches: Math.min(remaining, perIteration) }] : [];
    },
  };
}
