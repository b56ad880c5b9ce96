export { branchingScores, topScoredNodes } from "./branching-score.js";
export type { ChainsOptions } from "./chains-sampler.js";
export { chainsSampler } from "./chains-sampler.js";
export type { SamplerConfig } from "./create-sampler.js";
export { createSampler } from "./create-sampler.js";
export { drawToken, entropyOf, temperatureScaled, truncatedDistribution } from "./distribution.js";
export type { EntropyTreeOptions } from "./entropy-tree-sampler.js";
export { entropyTreeSampler } from "./entropy-tree-sampler.js";
export { TreeSamplerError } from "./errors.js";
export type { BudgetCut } from "./fit-to-budget.js";
export { fitToBudget } from "./fit-to-budget.js";
export type { FixedWidthTreeOptions } from "./fixed-width-tree-sampler.js";
export { fixedWidthTreeSampler } from "./fixed-width-tree-sampler.js";
export type { ForkPoint, ForkRequest } from "./fork-point.js";
export { forkKey } from "./fork-point.js";
export type { IbTreeOptions } from "./ib-tree-sampler.js";
export { ibTreeSampler } from "./ib-tree-sampler.js";
export { meanTreeEntropy } from "./mean-tree-entropy.js";
export { paperBranchScores } from "./paper-branch-score.js";
export type {
  FinishedRequest,
  FinishReason,
  GenerateOptions,
  Generation,
  GenerationRequest,
  Policy,
  PrefixCache,
  RequestFeed,
  SamplingSettings,
} from "./policy.js";
export type { RandomTreeOptions } from "./random-tree-sampler.js";
export { randomTreeSampler } from "./random-tree-sampler.js";
export { repeatProbabilities } from "./repeat-probability.js";
export { isValidOptionValue, resolveSamplerOptions } from "./resolve-sampler-options.js";
export type { BatchSample, PromptSample } from "./sample-batch.js";
export { sampleBatch, samplePrompt } from "./sample-batch.js";
export type { AnswerExtractor, IterationListener, RewardFunction, SampleOptions } from "./sample-options.js";
export type { PlanContext, Sampler } from "./sampler.js";
export type {
  BooleanOptionSpec,
  ChoiceOptionSpec,
  IntegerOptionSpec,
  NumberOptionSpec,
  ResolvedSamplerKindOptions,
  SamplerKind,
  SamplerKindOptions,
  SamplerOptionSpec,
} from "./sampler-option-specs.js";
export { BRANCH_SCORES, SAMPLER_KINDS, SAMPLER_OPTION_SPECS, samplerDefaults } from "./sampler-option-specs.js";
export { deriveSeed, SeededRandom } from "./seeded-random.js";
export type { Segmenter } from "./segmenter.js";
export { delimiterSegmenter, fixedLengthSegmenter, functionSegmenter } from "./segmenter.js";
export type { BatchStatistics, TreeStatistics } from "./statistics.js";
export type { TextCodec } from "./text-codec.js";
export type { IterationRecord, Trajectory } from "./trajectory.js";
