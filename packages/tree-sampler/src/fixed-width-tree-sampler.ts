import type { ForkRequest } from "./fork-point.js";
import { resolveSamplerOptions } from "./resolve-sampler-options.js";
import type { Sampler } from "./sampler.js";
import type { SamplerKindOptions } from "./sampler-option-specs.js";

/** Options of `fixed-width-tree` (defaults in `SAMPLER_OPTION_SPECS["fixed-width-tree"]`). */
export type FixedWidthTreeOptions = SamplerKindOptions<"fixed-width-tree">;

/**
 * `fixed-width-tree` (TreePO-like, docs/METHOD.md section 4): B0 chains from the prompt, then level by
 * level, each round brings every node of the shallowest depth that still has fewer than `width`
 * draws up to `width` (one new continuation per missing draw), until the budget is spent, the
 * round cap is reached or every node has `width` draws. Nodes a trajectory ends at, nodes at the
 * maximum depth and nodes without room for another token are not branched; requests are in node
 * id order, so the budget cuts the deepest-numbered nodes of a level first.
 *
 * @example
 * const sampler = fixedWidthTreeSampler({ initialChains: 4, width: 2 });
 */
export function fixedWidthTreeSampler(options: FixedWidthTreeOptions = {}): Sampler {
  const { initialChains, width, rounds } = resolveSamplerOptions("fixed-width-tree", options);
  return {
    name: `fixed-width-tree(B0=${initialChains}, width=${width}, rounds=${rounds})`,
    plan(context): ForkRequest[] {
      const { tree, iteration } = context;
      if (iteration === 0) return [{ node: tree.root, branches: initialChains }];
      if (iteration > rounds) return [];
      let depth = Number.POSITIVE_INFINITY;
      let forks: ForkRequest[] = [];
      for (let node = 1; node < tree.size; node++) {
        // A branchable node has no trajectory ending at it, so all its trajectories are draws below it.
        const missing = width - tree.trajectoryCount(node);
        const nodeDepth = tree.depth(node);
        if (missing <= 0 || nodeDepth > depth || !context.isBranchCandidate(node)) continue;
        if (nodeDepth < depth) {
          depth = nodeDepth;
          forks = [];
        }
        forks.push({ node, branches: missing });
      }
      return forks;
    },
  };
}
