import type { ReasoningTree } from "@ibtpo/ib-score";
import { computeStepAdvantages, type StepAdvantages } from "./ib-tpo-advantages.js";
import { defaultStepAdvantageOptions, resolveStepAdvantageOptions } from "./step-advantage-options.js";

export interface TreeRlAdvantageOptions {
  /** Pseudo-count of the values. Default 0 (TreeRL's V = correct / traj). */
  readonly valueAlpha?: number;
  /** 'sqrt' (default, TreeRL) divides by sqrt(traj(s)); 'none' leaves it. */
  readonly leafNorm?: "sqrt" | "none";
}

/**
 * TreeRL step advantages: A(s) = ((v(s) - v(root)) + (v(s) - v(parent))) / sqrt(traj(s)), the
 * global plus the local value advantage, normalised by the number of trajectories through s.
 * It is the IB-TPO computation with lambda = 0 and localValue = 1.
 *
 * @example
 * treeRlStepAdvantages(tree).advantage[node];
 */
export function treeRlStepAdvantages(tree: ReasoningTree, options: TreeRlAdvantageOptions = {}): StepAdvantages {
  const resolved = resolveStepAdvantageOptions({ ...options, lambda: 0, localValue: 1 }, defaultStepAdvantageOptions);
  return computeStepAdvantages(tree, resolved);
}
