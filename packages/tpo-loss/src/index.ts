export type { AdvantageEstimator, ResponseAdvantageEstimator, StepAdvantageEstimator } from "./advantage-estimator.js";
export { grpoEstimator, ibTpoEstimator, treeRlEstimator } from "./advantage-estimator.js";
export type { DeprecationWarningHandler } from "./deprecated-options.js";
export { setDeprecationWarningHandler } from "./deprecated-options.js";
export { drawWeightedValues } from "./draw-weighted-values.js";
export { TpoLossInputError } from "./errors.js";
export type { ExternalOptionName } from "./external-option-names.js";
export { externalOptionName, externalOptionNames } from "./external-option-names.js";
export type { GroupBatchOptions, GroupResponse, ResponseGroup } from "./group-sequences.js";
export { trainingBatchFromGroups } from "./group-sequences.js";
export type { GrpoAdvantageOptions, ResolvedGrpoAdvantageOptions } from "./grpo-advantages.js";
export {
  defaultGrpoAdvantageOptions,
  drGrpoAdvantages,
  grpoAdvantages,
  resolveGrpoAdvantageOptions,
} from "./grpo-advantages.js";
export type { StepAdvantages } from "./ib-tpo-advantages.js";
export { ibTpoStepAdvantages } from "./ib-tpo-advantages.js";
export type { PolicyLossOptions, ResolvedPolicyLossOptions } from "./loss-options.js";
export { resolvePolicyLossOptions } from "./loss-options.js";
export type {
  AdvantageEstimatorName,
  IbAdvantageForm,
  InformationGate,
  KlEstimator,
  LeafNormalisation,
  LossAggregation,
  RewardScaling,
  SamplerKind,
  StepProbabilityMode,
  StepSurprisalMode,
  TokenWeighting,
  TreeRewardScale,
  ValueEstimate,
} from "./option-choices.js";
export {
  advantageEstimatorNames,
  ibAdvantageForms,
  informationGates,
  klEstimators,
  leafNormalisations,
  lossAggregations,
  rewardScalings,
  samplerKinds,
  stepProbabilityModes,
  stepSurprisalModes,
  tokenWeightings,
  treeRewardScales,
  valueEstimates,
} from "./option-choices.js";
export type { PaddedTrainingBatch, PadOptions } from "./pad-training-batch.js";
export { padTrainingBatch } from "./pad-training-batch.js";
export type {
  AdvantageOverrides,
  AdvantageSettings,
  PresetName,
  PresetOverrides,
  TrainingPreset,
} from "./presets.js";
export { createAdvantageEstimator, presetKlCoefficient, presetNames, trainingPreset } from "./presets.js";
export type { TreeDraws } from "./reach-probability.js";
export { reachProbabilities, treeDraws } from "./reach-probability.js";
export { paddedCells, similarLengthGroups } from "./similar-length-groups.js";
export type { ResolvedStepAdvantageOptions, StepAdvantageOptions } from "./step-advantage-options.js";
export { defaultStepAdvantageOptions, resolveStepAdvantageOptions } from "./step-advantage-options.js";
export type { TrainingBatch, TrainingSequence } from "./training-batch.js";
export type { MicroBatchGrouping, TrainingMicroBatch } from "./training-micro-batches.js";
export { sequenceWeight, trainingMicroBatches } from "./training-micro-batches.js";
export type { TrainingMiniBatch } from "./training-mini-batches.js";
export { trainingMiniBatches } from "./training-mini-batches.js";
export type { TreeBatchOptions } from "./tree-sequences.js";
export { trainingBatchFromTrees } from "./tree-sequences.js";
export type { TreeRlAdvantageOptions } from "./treerl-advantages.js";
export { treeRlAdvantageDefaults, treeRlStepAdvantages } from "./treerl-advantages.js";
export type { DynamicSamplingResult, GroupFilterResult } from "./zero-variance-filter.js";
export {
  dynamicSamplingFilter,
  dynamicSamplingFilterTrees,
  zeroVarianceFilter,
  zeroVarianceFilterTrees,
} from "./zero-variance-filter.js";
