import type { ReasoningTree } from "@ibtpo/ib-score";

/**
 * The probability of reaching each step that the tree's draws estimate (docs/METHOD.md 5.2,
 * `tokenWeighting: 'reach-probability'`): P(root) = 1 and P(s) = P(p) d(s) / D(p) for a step s
 * with parent p, where d(s) = min(multiplicity(s), traj(s)) are the finished draws at p that
 * produced s and D(p) = endingCount(p) + the sum of d over p's children is every finished draw
 * at p. A step no finished trajectory passes through gets 0.
 *
 * Branching a node adds draws there but not above it, so a branched prefix keeps the reach it was
 * drawn with; in a prefix tree of i.i.d. responses d(s) = traj(s) and P(s) = traj(s) / traj(root).
 *
 * @example
 * const reach = reachProbabilities(tree);
 * tree.trajectories * reach[node]; // the number of trajectories node would have in i.i.d. sampling
 */
export function reachProbabilities(tree: ReasoningTree): Float64Array {
  const { finishedDraws, drawsAt } = treeDraws(tree);
  const reach = new Float64Array(tree.size);
  if (tree.trajectoryCount(tree.root) === 0) return reach;
  reach[tree.root] = 1;
  // Parents have smaller ids than their children, so one forward pass sees every parent first.
  for (let node = 1; node < tree.size; node++) {
    const draws = finishedDraws[node] as number;
    if (draws === 0) continue;
    const parent = tree.parent(node);
    reach[node] = ((reach[parent] as number) * draws) / (drawsAt[parent] as number);
  }
  return reach;
}

/** The finished draws of a tree, per node: the d(s) and D(p) of {@link reachProbabilities}. */
export interface TreeDraws {
  /** d(s) = min(multiplicity(s), traj(s)): the finished draws at the parent that produced s (0 at the root). */
  readonly finishedDraws: Float64Array;
  /** D(p) = endingCount(p) + sum of d over p's children: every finished draw at p. */
  readonly drawsAt: Float64Array;
}

/** d(s) and D(p) for every node of the tree. */
export function treeDraws(tree: ReasoningTree): TreeDraws {
  const size = tree.size;
  const finishedDraws = new Float64Array(size);
  const drawsAt = new Float64Array(size);
  for (let node = 0; node < size; node++) drawsAt[node] = tree.endingCount(node);
  for (let node = 1; node < size; node++) {
    const trajectories = tree.trajectoryCount(node);
    if (trajectories === 0) continue;
    // A draw whose continuation never finished (dropped at the budget) left no trajectory; it is
    // not a sample of the next step, so at most traj(s) of the draws count.
    const draws = Math.min(tree.multiplicity(node), trajectories);
    finishedDraws[node] = draws;
    const parent = tree.parent(node);
    drawsAt[parent] = (drawsAt[parent] as number) + draws;
  }
  return { finishedDraws, drawsAt };
}
