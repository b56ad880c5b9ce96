import type { ReasoningTree } from "@ibtpo/ib-score";
import { checkGroupLayout, meanAndStd } from "./group-layout.js";

/** Which groups the zero-variance filter keeps and which it drops. */
export interface GroupFilterResult {
  /** Indices of the groups whose rewards are not all equal, in order. */
  readonly keptGroups: Int32Array;
  /** Indices of the groups with zero reward variance (singletons included). */
  readonly droppedGroups: Int32Array;
}

/** @deprecated Use {@link GroupFilterResult}. */
export type DynamicSamplingResult = GroupFilterResult;

/**
 * Drop every group (prompt) whose rewards are all equal: its GRPO advantages are all 0 and it only
 * dilutes the batch. This is the filter of DAPO's dynamic sampling without its refill: DAPO goes
 * on sampling prompts until the batch is full again, which needs the sampler; here the batch
 * shrinks, so the token-mean normaliser counts only the kept groups' tokens.
 *
 * @example
 * zeroVarianceFilter([1, 1, 0, 1, 0, 0], [2, 2, 2]);
 * // { keptGroups: [1], droppedGroups: [0, 2] }
 */
export function zeroVarianceFilter(rewards: ArrayLike<number>, groupSizes: ArrayLike<number>): GroupFilterResult {
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
 * const { keptGroups } = zeroVarianceFilterTrees(trees);
 * const informative = Array.from(keptGroups, (index) => trees[index]);
 */
export function zeroVarianceFilterTrees(trees: readonly ReasoningTree[]): GroupFilterResult {
  const kept: number[] = [];
  const dropped: number[] = [];
  trees.forEach((tree, index) => {
    (tree.hasRewardVariance ? kept : dropped).push(index);
  });
  return { keptGroups: Int32Array.from(kept), droppedGroups: Int32Array.from(dropped) };
}

/**
 * @deprecated Renamed {@link zeroVarianceFilter}: it filters, it does not refill the batch as DAPO does.
 * @alias
 */
export const dynamicSamplingFilter = zeroVarianceFilter;

/**
 * @deprecated Renamed {@link zeroVarianceFilterTrees}.
 * @alias
 */
export const dynamicSamplingFilterTrees = zeroVarianceFilterTrees;
