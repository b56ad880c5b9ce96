import type { Sampler } from "./sampler.js";
import { branchCandidates, type NodeBranchingOptions, resolveNodeBranchingOptions } from "./tree-sampler-options.js";

/**
 * `random-tree` (ablation): like `ib-tree`, but each iteration branches at N candidate nodes drawn
 * uniformly without replacement, from the iteration's seeded stream.
 *
 * @example
 * const sampler = randomTreeSampler({ iterations: 8, nodesPerIteration: 2, branches: 2 });
 */
export function randomTreeSampler(options: NodeBranchingOptions): Sampler {
  const { initialChains, iterations, nodesPerIteration, branches } = resolveNodeBranchingOptions(options);
  return {
    name: `random-tree(M=${initialChains}, C=${iterations}, N=${nodesPerIteration}, T=${branches})`,
    plan(context) {
      const { tree, iteration, random } = context;
      if (iteration === 0) return [{ node: tree.root, branches: initialChains }];
      if (iteration >= iterations) return [];
      const candidates = branchCandidates(context);
      const count = Math.min(nodesPerIteration, candidates.length);
      // Partial Fisher-Yates: the first `count` slots end up a uniform sample without replacement.
      for (let slot = 0; slot < count; slot++) {
        const pick = slot + random.nextInt(candidates.length - slot);
        [candidates[slot], candidates[pick]] = [candidates[pick] as number, candidates[slot] as number];
      }
      return candidates.slice(0, count).map((node) => ({ node, branches }));
    },
  };
}
