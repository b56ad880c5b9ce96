export type { AdvantageEstimator, ResponseAdvantageEstimator, StepAdvantageEstimator } from "./advantage-estimator.js";
export { grpoEstimator, ibTpoEstimator, treeRlEstimator } from "./advantage-estimator.js";
export type { DynamicSamplingResult } from "./dynamic-sampling.js";
export { dynamicSamplingFilter, dynamicSamplingFilterTrees } from "./dynamic-sampling.js";
export { TpoLossInputError } from "./errors.js";
export type { GroupResponse, ResponseGroup } from "./group-sequences.js";
export { trainingBatchFromGroups } from "./group-sequences.js";
export type { GrpoAdvantageOptions, ResolvedGrpoAdvantageOptions, RewardScaling } from "./grpo-advantages.js";
export {
  defaultGrpoAdvantageOptions,
  drGrpoAdvantages,
  grpoAdvantages,
  resolveGrpoAdvantageOptions,
} from "./grpo-advantages.js";
export type { StepAdvantages } from "./ib-tpo-advantages.js";
export { ibTpoStepAdvantages } from "./ib-tpo-advantages.js";
export type { KlEstimator, LossAggregation, PolicyLossOptions, ResolvedPolicyLossOptions } from "./loss-options.js";
export { klEstimators, lossAggregations, resolvePolicyLossOptions } from "./loss-options.js";
export type { PaddedTrainingBatch, PadOptions } from "./pad-training-batch.js";
export { padTrainingBatch } from "./pad-training-batch.js";
export type {
  AdvantageOverrides,
  AdvantageSettings,
  PresetName,
  PresetOverrides,
  SamplerKind,
  TrainingPreset,
} from "./presets.js";
export { createAdvantageEstimator, presetNames, trainingPreset } from "./presets.js";
export type {
  LeafNormalisation,
  ResolvedStepAdvantageOptions,
  StepAdvantageOptions,
  StepSurprisalMode,
} from "./step-advantage-options.js";
export { defaultStepAdvantageOptions, resolveStepAdvantageOptions } from "./step-advantage-options.js";
export type { TokenWeighting, TrainingBatch, TrainingSequence } from "./training-batch.js";
export type { TreeBatchOptions } from "./tree-sequences.js";
export { trainingBatchFromTrees } from "./tree-sequences.js";
export type { TreeRlAdvantageOptions } from "./treerl-advantages.js";
export { treeRlStepAdvantages } from "./treerl-advantages.js";
