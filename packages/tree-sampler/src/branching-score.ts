import { binaryEntropy, type IbScoreOptions, type NodeId, type ReasoningTree, scoreTree } from "@ibtpo/ib-score";

/**
 * IBTree's earlier branching score of every node (`branchScore: "shannon-optimistic"`, docs/METHOD.md
 * section 4): IB-Score(n) = H(n) + beta I(n), except that for a node with one distinct child
 * I(n), which is always 0 there, is replaced by its optimistic value H_b(v(n)), the most a new
 * branch at n could reveal. NaN for nodes without children. Indexed by node id.
 *
 * @example
 * const scores = branchingScores(tree, { beta: 1, alpha: 0.5 });
 */
export function branchingScores(tree: ReasoningTree, options?: IbScoreOptions): Float64Array {
  // This score is built on the Shannon form's H and I, whatever ib-score's default estimator is.
  const score = scoreTree(tree, { ...options, estimator: "shannon" });
  const { beta } = score.options;
  const result = new Float64Array(tree.size);
  for (let node = 0; node < tree.size; node++) {
    result[node] =
      tree.childCount(node) === 1
        ? (score.nodeH[node] as number) + beta * binaryEntropy(score.value[node] as number)
        : (score.nodeIbScore[node] as number);
  }
  return result;
}

/**
 * The `count` candidates of highest score, ties broken by depth (shallower first) then id, so a
 * run is reproducible. NaN scores rank last.
 *
 * @example
 * const nodes = topScoredNodes(tree, branchingScores(tree), candidates, 2); // where ib-tree branches next
 */
export function topScoredNodes(
  tree: ReasoningTree,
  scores: Float64Array,
  candidates: readonly NodeId[],
  count: number,
): NodeId[] {
  const rankScore = (node: NodeId) => {
    const value = scores[node] as number;
    return Number.isNaN(value) ? Number.NEGATIVE_INFINITY : value;
  };
  return [...candidates]
    .sort((a, b) => rankScore(b) - rankScore(a) || tree.depth(a) - tree.depth(b) || a - b)
    .slice(0, count);
}
