import type { ReasoningTree } from "@ibtpo/ib-score";
import { type GrpoAdvantageOptions, grpoAdvantages, resolveGrpoAdvantageOptions } from "./grpo-advantages.js";
import { computeStepAdvantages } from "./ib-tpo-advantages.js";
import {
  type ResolvedStepAdvantageOptions,
  resolveStepAdvantageOptions,
  type StepAdvantageOptions,
} from "./step-advantage-options.js";
import { type TreeRlAdvantageOptions, treeRlAdvantageDefaults } from "./treerl-advantages.js";

/** Gives every step (tree node) its own advantage; the tokens of a step share it. */
export interface StepAdvantageEstimator {
  readonly kind: "step";
  readonly name: string;
  /** One array per tree, indexed by node id (length `tree.size`; the root entry is ignored). */
  stepAdvantages(trees: readonly ReasoningTree[]): Float64Array[];
}

/** Gives every response one advantage from the rewards of its group (GRPO family). */
export interface ResponseAdvantageEstimator {
  readonly kind: "response";
  readonly name: string;
  /** One advantage per response; responses are laid out group after group. */
  responseAdvantages(rewards: Float64Array, groupSizes: Int32Array): Float64Array;
}

/**
 * The seam between rollouts and the loss: from trees or groups to advantages. Implement either
 * kind to plug a new algorithm into `trainingBatchFromTrees` / `trainingBatchFromGroups`.
 *
 * @example
 * const flat: StepAdvantageEstimator = {
 *   kind: "step",
 *   name: "global-only",
 *   stepAdvantages: (trees) => trees.map((tree) => {
 *     const out = new Float64Array(tree.size);
 *     const root = tree.rewardSum(0) / tree.trajectoryCount(0);
 *     for (let n = 1; n < tree.size; n++) {
 *       if (tree.trajectoryCount(n) > 0) out[n] = tree.rewardSum(n) / tree.trajectoryCount(n) - root;
 *     }
 *     return out;
 *   }),
 * };
 */
export type AdvantageEstimator = StepAdvantageEstimator | ResponseAdvantageEstimator;

/**
 * GRPO (or, with `scaleRewards: 'none'`, Dr.GRPO) as an estimator.
 *
 * @example
 * trainingBatchFromGroups(groups, grpoEstimator({ scaleRewards: "group" }));
 */
export function grpoEstimator(options?: GrpoAdvantageOptions): ResponseAdvantageEstimator {
  const resolved = resolveGrpoAdvantageOptions(options);
  return {
    kind: "response",
    name: resolved.scaleRewards === "none" ? "dr-grpo" : "grpo",
    responseAdvantages: (rewards, groupSizes) => grpoAdvantages(rewards, groupSizes, resolved),
  };
}

/**
 * IB-TPO step advantages (docs/METHOD.md section 5; the paper's form by default) as an estimator.
 *
 * @example
 * trainingBatchFromTrees(trees, ibTpoEstimator({ lambda: 0.1 }));
 */
export function ibTpoEstimator(options?: StepAdvantageOptions): StepAdvantageEstimator {
  return stepEstimator("ib-tpo", resolveStepAdvantageOptions(options));
}

/**
 * TreeRL step advantages (global + local value, sqrt normalisation) as an estimator.
 *
 * @example
 * trainingBatchFromTrees(trees, treeRlEstimator(), { tokenWeighting: "per-trajectory" });
 */
export function treeRlEstimator(options: TreeRlAdvantageOptions = {}): StepAdvantageEstimator {
  return stepEstimator("treerl", resolveStepAdvantageOptions(options, treeRlAdvantageDefaults));
}

/** A step estimator over the shared IB-TPO / TreeRL computation, with options already resolved. */
export function stepEstimator(name: string, options: ResolvedStepAdvantageOptions): StepAdvantageEstimator {
  return {
    kind: "step",
    name,
    stepAdvantages: (trees) => trees.map((tree) => computeStepAdvantages(tree, options).advantage),
  };
}
