import type { ReasoningTree } from "@ibtpo/ib-score";
import { checkGroupLayout, meanAndStd } from "./group-layout.js";

/** Which groups DAPO's dynamic sampling keeps and which it drops. */
export interface DynamicSamplingResult {
  /** Indices of the groups whose rewards are not all equal, in order. */
  readonly keptGroups: Int32Array;
  /** Indices of the groups with zero reward variance (singletons included). */
  readonly droppedGroups: Int32Array;
}

/**
 * DAPO's dynamic-sampling filter: drop every group (prompt) whose rewards are all equal, since
 * its GRPO advantages are all 0 and it only dilutes the batch. DAPO then samples more prompts
 * until the batch is full; that loop belongs to the trainer, this is the filter it applies.
 *
 * @example
 * dynamicSamplingFilter([1, 1, 0, 1, 0, 0], [2, 2, 2]);
 * // { keptGroups: [1], droppedGroups: [0, 2] }
 */
export function dynamicSamplingFilter(
  rewards: ArrayLike<number>,
  groupSizes: ArrayLike<number>,
): DynamicSamplingResult {
  const sizes = checkGroupLayout(rewards, groupSizes);
  const kept: number[] = [];
  const dropped: number[] = [];
  let start = 0;
  sizes.forEach((size, group) => {
    (meanAndStd(rewards, start, size).std > 0 ? kept : dropped).push(group);
    start += size;
  });
  return { keptGroups: Int32Array.from(kept), droppedGroups: Int32Array.from(dropped) };
}

/**
 * The same filter over trees (one per prompt): keep the trees whose trajectory rewards are not
 * all equal (`tree.hasRewardVariance`, the trees that count for Eff-Rate).
 *
 * @example
 * const { keptGroups } = dynamicSamplingFilterTrees(trees);
 * const informative = Array.from(keptGroups, (index) => trees[index]);
 */
export function dynamicSamplingFilterTrees(trees: readonly ReasoningTree[]): DynamicSamplingResult {
  const kept: number[] = [];
  const dropped: number[] = [];
  trees.forEach((tree, index) => {
    (tree.hasRewardVariance ? kept : dropped).push(index);
  });
  return { keptGroups: Int32Array.from(kept), droppedGroups: Int32Array.from(dropped) };
}
