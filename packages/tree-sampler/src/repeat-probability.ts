import type { ReasoningTree } from "@ibtpo/ib-score";

/**
 * For every node n, the probability under the sampling policy that one new continuation drawn
 * from n repeats, token for token, a response the tree already has: repeat(n) = sum over n's
 * children c of pi(c) x below(c), with pi(c) the step's literal probability exp(sum of its token
 * log-probs) and below(c) = 1 when a response ends at c (its last token is in c), else repeat(c).
 * A branch from a node whose repeat probability is near 1 spends its tokens on a response whose
 * reward is already known (`ib-tree`'s `minNovelty`, docs/METHOD.md section 4). Node ids grow
 * from parent to child, so one pass from the last id to the first computes every value. A step
 * without log-probs gives NaN for its ancestors (unknown). Indexed by node id; 0 for a node
 * without children.
 *
 * @example
 * const repeat = repeatProbabilities(tree);
 * const novelty = 1 - repeat[tree.root]; // chance a fresh chain is a response not seen yet
 */
export function repeatProbabilities(tree: ReasoningTree): Float64Array {
  const repeat = new Float64Array(tree.size);
  for (let node = tree.size - 1; node >= 0; node--) {
    let sum = 0;
    for (const child of tree.children(node)) {
      const below = tree.endingCount(child) > 0 ? 1 : (repeat[child] as number);
      sum += Math.exp(-tree.stepSurprisalSum(child)) * below;
    }
    // Log-probs averaged over merged draws can push the sum a rounding error above 1.
    repeat[node] = Math.min(1, sum);
  }
  return repeat;
}
