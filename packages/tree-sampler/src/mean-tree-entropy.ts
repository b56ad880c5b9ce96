import type { ReasoningTree } from "@ibtpo/ib-score";

/**
 * Mean full-distribution entropy (nats) of every sampled token in the trees, each token counted
 * once per draw of its step (docs/METHOD.md section 7's "mean token entropy"). Steps without entropies
 * are left out; null when no token has one.
 *
 * @example
 * const entropy = meanTreeEntropy(batch.samples.map((sample) => sample.tree));
 */
export function meanTreeEntropy(trees: readonly ReasoningTree[]): number | null {
  let sum = 0;
  let count = 0;
  for (const tree of trees) {
    for (let node = 1; node < tree.size; node++) {
      const entropy = tree.stepEntropySum(node);
      if (Number.isNaN(entropy)) continue;
      sum += entropy * tree.multiplicity(node);
      count += tree.tokenCount(node) * tree.multiplicity(node);
    }
  }
  return count > 0 ? sum / count : null;
}
