/**
 * Every string-valued option of this package, each as one `as const` list with its type derived
 * from it. This file is the one home of these names: the option types, the validation messages and
 * any config schema built on top (a CLI, a JSON Schema) all read them from here, so a value added
 * here reaches every consumer without further edits. `stepProbabilityModes` belongs to
 * @ibtpo/ib-score (the step probability of its IB-Score) and is passed on from there.
 */

export { type StepProbabilityMode, stepProbabilityModes } from "@ibtpo/ib-score";

/** Advantage estimators a preset can name (`advantage.estimator`). */
export const advantageEstimatorNames = ["grpo", "treerl", "ib-tpo"] as const;
export type AdvantageEstimatorName = (typeof advantageEstimatorNames)[number];

/**
 * Rollout samplers a preset can ask for (`sampler`): every kind of @ibtpo/tree-sampler, whose list
 * is the one home of these names.
 */
export { SAMPLER_KINDS as samplerKinds, type SamplerKind } from "@ibtpo/tree-sampler";

/** Which standard deviation divides GRPO's centred rewards (TRL's `scale_rewards`). */
export const rewardScalings = ["group", "batch", "none"] as const;
export type RewardScaling = (typeof rewardScalings)[number];

/**
 * The local IB advantage A_IB of the tree estimators (docs/METHOD.md section 5): the paper's
 * (r(s) - 1 - 1/beta) pi_old(s) (5.1), or the score-function gradients of the Shannon H and I (5.2).
 */
export const ibAdvantageForms = ["paper", "score-function"] as const;
export type IbAdvantageForm = (typeof ibAdvantageForms)[number];

/** What divides the tree's value advantages A_GL and A_LV: the std of the tree's rewards, or nothing. */
export const treeRewardScales = ["tree-std", "none"] as const;
export type TreeRewardScale = (typeof treeRewardScales)[number];

/** When A_IB acts: in every tree, or only in trees whose rewards are not all equal. */
export const informationGates = ["always", "reward-variance"] as const;
export type InformationGate = (typeof informationGates)[number];

/**
 * How a node's value p(a* | prefix) is estimated for the tree advantages: the mean reward of the
 * trajectories below it (the paper's p-hat, default), or the mean over the node's draws of its
 * children's values (docs/METHOD.md 5.2).
 */
export const valueEstimates = ["leaf-mean", "draw-weighted"] as const;
export type ValueEstimate = (typeof valueEstimates)[number];

/** Divide a step's advantage by sqrt(traj(s)) (TreeRL) or leave it. */
export const leafNormalisations = ["sqrt", "none"] as const;
export type LeafNormalisation = (typeof leafNormalisations)[number];

/** How the step surprisal u(s) of the score-function form is formed from the step's token log-probs. */
export const stepSurprisalModes = ["token-mean", "token-sum"] as const;
export type StepSurprisalMode = (typeof stepSurprisalModes)[number];

/**
 * How tokens shared by several trajectories of a tree are weighted in the loss: once per tree,
 * once per trajectory through them (default), or by the reach probability the tree's draws
 * estimate (docs/METHOD.md 5.2).
 */
export const tokenWeightings = ["dedup", "per-trajectory", "reach-probability"] as const;
export type TokenWeighting = (typeof tokenWeightings)[number];

/** How per-token losses become one scalar (verl's `loss_agg_mode`). */
export const lossAggregations = ["seq-mean-token-mean", "token-mean", "seq-mean-token-sum-norm"] as const;
export type LossAggregation = (typeof lossAggregations)[number];

/** Estimator of KL(pi || pi_ref) per token (Schulman's k1, k2, k3). */
export const klEstimators = ["k1", "k2", "k3"] as const;
export type KlEstimator = (typeof klEstimators)[number];
