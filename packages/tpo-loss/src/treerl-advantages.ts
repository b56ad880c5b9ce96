import type { ReasoningTree } from "@ibtpo/ib-score";
import { computeStepAdvantages, type StepAdvantages } from "./ib-tpo-advantages.js";
import type { LeafNormalisation, TreeRewardScale } from "./option-choices.js";
import {
  defaultStepAdvantageOptions,
  type ResolvedStepAdvantageOptions,
  resolveStepAdvantageOptions,
} from "./step-advantage-options.js";

export interface TreeRlAdvantageOptions {
  /** Pseudo-count of the values. Default 0 (TreeRL's V = correct / traj). */
  readonly valueAlpha?: number;
  /** 'sqrt' (default, TreeRL) divides by sqrt(traj(s)); 'none' leaves it. */
  readonly leafNorm?: LeafNormalisation;
  /** 'none' (default, TreeRL) or 'tree-std' (divide by the std of the tree's rewards). */
  readonly rewardScale?: TreeRewardScale;
}

/**
 * TreeRL as the step-advantage computation: no information term (lambda 0), the local value term
 * at weight 1, unscaled values divided by sqrt(traj(s)). The one place these numbers are written;
 * the `treerl` preset, `treeRlEstimator` and `treeRlStepAdvantages` all start from it.
 */
export const treeRlAdvantageDefaults: ResolvedStepAdvantageOptions = {
  ...defaultStepAdvantageOptions,
  lambda: 0,
  localValue: 1,
  leafNorm: "sqrt",
  rewardScale: "none",
};

/**
 * TreeRL step advantages: A(s) = ((v(s) - v(root)) + (v(s) - v(parent))) / sqrt(traj(s)), the
 * global plus the local value advantage, normalised by the number of trajectories through s.
 * It is the IB-TPO computation with {@link treeRlAdvantageDefaults}.
 *
 * @example
 * treeRlStepAdvantages(tree).advantage[node];
 */
export function treeRlStepAdvantages(tree: ReasoningTree, options: TreeRlAdvantageOptions = {}): StepAdvantages {
  return computeStepAdvantages(tree, resolveStepAdvantageOptions(options, treeRlAdvantageDefaults));
}
