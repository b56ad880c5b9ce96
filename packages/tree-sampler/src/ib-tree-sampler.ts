import type { IbScoreOptions } from "@ibtpo/ib-score";
import { branchingScores, topScoredNodes } from "./branching-score.js";
import type { Sampler } from "./sampler.js";
import { branchCandidates, type NodeBranchingOptions, resolveNodeBranchingOptions } from "./tree-sampler-options.js";

export interface IbTreeOptions extends NodeBranchingOptions {
  /** beta, alpha and the step-entropy mode of the branching score. Defaults of ib-score. */
  readonly ibScore?: IbScoreOptions;
}

/**
 * `ib-tree` (IBTree, docs/METHOD.md section 4): M chains from the prompt, then for iterations 2..C
 * branch T new continuations at each of the N candidate nodes of highest branching score
 * (see {@link branchingScores}); terminal nodes and nodes at the maximum depth are not
 * candidates. Scores are recomputed from the tree's running counts at every iteration.
 *
 * @example
 * const sampler = ibTreeSampler({ initialChains: 1, iterations: 8, nodesPerIteration: 2, branches: 2 });
 */
export function ibTreeSampler(options: IbTreeOptions): Sampler {
  const { initialChains, iterations, nodesPerIteration, branches } = resolveNodeBranchingOptions(options);
  const scoreOptions = options.ibScore;
  return {
    name: `ib-tree(M=${initialChains}, C=${iterations}, N=${nodesPerIteration}, T=${branches})`,
    plan(context) {
      const { tree, iteration } = context;
      if (iteration === 0) return [{ node: tree.root, branches: initialChains }];
      if (iteration >= iterations) return [];
      const scores = branchingScores(tree, scoreOptions);
      return topScoredNodes(tree, scores, branchCandidates(context), nodesPerIteration).map((node) => ({
        node,
        branches,
      }));
    },
  };
}
