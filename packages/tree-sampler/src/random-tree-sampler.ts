import { nodeBranchingSampler, shapeLabel } from "./node-branching.js";
import { resolveSamplerOptions } from "./resolve-sampler-options.js";
import type { Sampler } from "./sampler.js";
import type { SamplerKindOptions } from "./sampler-option-specs.js";

/** Options of `random-tree` (defaults in `SAMPLER_OPTION_SPECS["random-tree"]`). */
export type RandomTreeOptions = SamplerKindOptions<"random-tree">;

/**
 * `random-tree` (the paper's "random" ablation): like `ib-tree`, but each round branches at K
 * candidate nodes drawn uniformly without replacement, from the round's seeded stream.
 *
 * @example
 * const sampler = randomTreeSampler({ initialChains: 4, nodesPerRound: 1, branches: 1 });
 */
export function randomTreeSampler(options: RandomTreeOptions = {}): Sampler {
  const shape = resolveSamplerOptions("random-tree", options);
  return nodeBranchingSampler(`random-tree(${shapeLabel(shape)})`, shape, ({ random }, candidates, nodes) => {
    const count = Math.min(nodes, candidates.length);
    // Partial Fisher-Yates: the first `count` slots end up a uniform sample without replacement.
    for (let slot = 0; slot < count; slot++) {
      const pick = slot + random.nextInt(candidates.length - slot);
      [candidates[slot], candidates[pick]] = [candidates[pick] as number, candidates[slot] as number];
    }
    return candidates.slice(0, count);
  });
}
