import { branchingScores, topScoredNodes } from "./branching-score.js";
import { nodeBranchingSampler, shapeLabel } from "./node-branching.js";
import { paperBranchScores } from "./paper-branch-score.js";
import { repeatProbabilities } from "./repeat-probability.js";
import { resolveSamplerOptions } from "./resolve-sampler-options.js";
import type { Sampler } from "./sampler.js";
import type { SamplerKindOptions } from "./sampler-option-specs.js";

/** Options of `ib-tree` (defaults in `SAMPLER_OPTION_SPECS["ib-tree"]`). */
export type IbTreeOptions = SamplerKindOptions<"ib-tree">;

/**
 * `ib-tree` (IBTree, docs/METHOD.md section 4): B0 chains from the prompt, then rounds that each branch
 * B new continuations from the K candidate nodes (every non-leaf node the response may still grow
 * from, the root included) of highest branching score, ties broken by depth then id. The score
 * is the paper's IB-Score J (`branchScore: 'paper'`, with `beta` and `stepProbability`) or this
 * project's first score (`'shannon-optimistic'`, see {@link branchingScores}, with `beta`).
 * With `minNovelty` > 0 (a project option; 0, the paper's, by default), nodes whose next draw would
 * repeat a response already in the tree with probability above 1 - minNovelty
 * ({@link repeatProbabilities}) are branched only when no other node qualifies.
 * Scores are recomputed from the tree's counts every round; rounds go on until the budget is
 * spent or `rounds` is reached.
 *
 * @example
 * const paper = ibTreeSampler(); // (B0, K, B) = (4, 1, 1), no round cap
 * const earlier = ibTreeSampler({ branchScore: "shannon-optimistic", beta: 1, initialChains: 2, nodesPerRound: 2, branches: 2 });
 */
export function ibTreeSampler(options: IbTreeOptions = {}): Sampler {
  const resolved = resolveSamplerOptions("ib-tree", options);
  const { branchScore, beta, stepProbability, minNovelty } = resolved;
  const score = branchScore === "paper" ? `J, beta=${beta}, ${stepProbability}` : `shannon-optimistic, beta=${beta}`;
  const label = minNovelty > 0 ? `${score}, minNovelty=${minNovelty}` : score;
  return nodeBranchingSampler(`ib-tree(${shapeLabel(resolved)}, ${label})`, resolved, ({ tree }, candidates, count) => {
    const scores =
      branchScore === "paper"
        ? paperBranchScores(tree, candidates, { beta, stepProbability })
        : branchingScores(tree, { beta });
    if (minNovelty === 0) return topScoredNodes(tree, scores, candidates, count);
    // Nodes whose next draw is new with at least minNovelty rank first; among them, and among the
    // rest when none qualifies, the score decides. An unknown repeat probability (no log-probs)
    // does not hold a node back.
    const repeat = repeatProbabilities(tree);
    const novel = (node: number) => !(1 - (repeat[node] as number) < minNovelty);
    const qualifying = candidates.filter(novel);
    const chosen = topScoredNodes(tree, scores, qualifying, count);
    if (chosen.length === count) return chosen;
    return [
      ...chosen,
      ...topScoredNodes(
        tree,
        scores,
        candidates.filter((node) => !novel(node)),
        count - chosen.length,
      ),
    ];
  });
}
