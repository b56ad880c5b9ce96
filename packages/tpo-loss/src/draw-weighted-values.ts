import type { ReasoningTree } from "@ibtpo/ib-score";
import { treeDraws } from "./reach-probability.js";

/**
 * Values that count every draw at a node once (docs/METHOD.md 5.2, `valueEstimate:
 * 'draw-weighted'`): v(n) = (sum of the rewards ending at n + sum over children c of d(c) v(c) + alpha)
 * / (D(n) + 2 alpha), with d and D the finished draws of {@link treeDraws}.
 *
 * The leaf mean (the paper's p-hat) weighs a child by the trajectories below it. A tree sampler
 * adds trajectories below the nodes it branches, so there a branched child outweighs its siblings
 * by as many continuations as it was given, and v(n) follows the sampler's choices rather than
 * pi(. | n). Each draw at n is one sample of pi(. | n); averaging the children's values over those
 * draws estimates p(a* | n) whatever was branched below. In a prefix tree of i.i.d. responses
 * d(c) = traj(c), so both estimates are equal there.
 *
 * @example
 * const value = drawWeightedValues(tree, 0);
 * value[tree.root]; // mean over the root's draws of their first steps' values
 */
export function drawWeightedValues(tree: ReasoningTree, alpha: number): Float64Array {
  const { finishedDraws, drawsAt } = treeDraws(tree);
  const size = tree.size;
  const weightedSum = new Float64Array(size);
  for (let node = 0; node < size; node++) {
    for (const reward of tree.endingRewards(node)) weightedSum[node] = (weightedSum[node] as number) + reward;
  }
  const value = new Float64Array(size);
  // Children have larger ids than their parents, so a backward pass finishes every child first.
  for (let node = size - 1; node >= 0; node--) {
    const draws = drawsAt[node] as number;
    if (draws > 0) value[node] = ((weightedSum[node] as number) + alpha) / (draws + 2 * alpha);
    if (node === tree.root) continue;
    const parent = tree.parent(node);
    weightedSum[parent] = (weightedSum[parent] as number) + (finishedDraws[node] as number) * (value[node] as number);
  }
  return value;
}
