import { resolveSamplerOptions } from "./resolve-sampler-options.js";
import type { Sampler } from "./sampler.js";
import type { SamplerKindOptions } from "./sampler-option-specs.js";

/** Options of `chains` (defaults in `SAMPLER_OPTION_SPECS.chains`). */
export type ChainsOptions = SamplerKindOptions<"chains">;

/**
 * `chains`: G independent responses from the prompt (the GRPO group), `perIteration` per prompt
 * per generate call, under the same budget accounting as the trees. Requests cut by the budget
 * still count towards G. By default G is unlimited: responses are drawn until the budget is spent.
 *
 * @example
 * const grpo = chainsSampler({ responses: 8, perIteration: 8 });
 * const fillBudget = chainsSampler(); // 4 per call until the budget is spent
 */
export function chainsSampler(options: ChainsOptions = {}): Sampler {
  const { responses, perIteration } = resolveSamplerOptions("chains", options);
  return {
    name: `chains(G=${responses}, ${perIteration} per call)`,
    plan({ tree }) {
      const remaining = responses - tree.trajectories;
      return remaining > 0 ? [{ node: tree.root, branches: Math.min(remaining, perIteration) }] : [];
    },
  };
}
