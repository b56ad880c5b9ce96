import { type NodeId, type PaperScoreOptions, paperNodeScore, type ReasoningTree } from "@ibtpo/ib-score";

/**
 * IBTree's default branching score (`branchScore: 'paper'`, docs/METHOD.md section 4): the paper's
 * IB-Score J(n) of section 3.1, from ib-score's `paperNodeScore`, for each of `nodes`; NaN for
 * every other node and for a node without a finished draw below it. Indexed by node id.
 *
 * @example
 * const scores = paperBranchScores(tree, [tree.root, 3], { beta: 5, stepProbability: "geometric" });
 */
export function paperBranchScores(
  tree: ReasoningTree,
  nodes: readonly NodeId[],
  options?: PaperScoreOptions,
): Float64Array {
  const scores = new Float64Array(tree.size).fill(Number.NaN);
  for (const node of nodes) scores[node] = paperNodeScore(tree, node, options)?.ibScore ?? Number.NaN;
  return scores;
}
