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
export type { ForkPoint, ForkRequest } from "./fork-point.js";
export { forkKey } from "./fork-point.js";
export type { IbTreeOptions } from "./ib-tree-sampler.js";
export { ibTreeSampler } from "./ib-tree-sampler.js";
export type { MarkovPolicyOptions } from "./markov-policy.js";
export { MarkovPolicy } from "./markov-policy.js";
export type { FinishReason, Generation, GenerationRequest, Policy, SamplingSettings } from "./policy.js";
export { randomTreeSampler } from "./random-tree-sampler.js";
export type { ReferenceLengthModel, ReferencePolicyOptions } from "./reference-policy.js";
export {
  createReferencePolicy,
  REFERENCE_DELIMITER,
  REFERENCE_EOS,
  REFERENCE_FIRST_SYMBOL,
  REFERENCE_QUESTION_END,
} from "./reference-policy.js";
export type { ReferenceTask, ReferenceTaskOptions } from "./reference-task.js";
export { createReferenceTask } from "./reference-task.js";
export type { BatchSample, PromptSample } from "./sample-batch.js";
export { sampleBatch, samplePrompt } from "./sample-batch.js";
export type { AnswerExtractor, IterationListener, RewardFunction, SampleOptions } from "./sample-options.js";
export type { PlanContext, Sampler } from "./sampler.js";
export { deriveSeed, SeededRandom } from "./seeded-random.js";
export type { Segmenter } from "./segmenter.js";
export { delimiterSegmenter, fixedLengthSegmenter, functionSegmenter } from "./segmenter.js";
export type { BatchStatistics, TreeStatistics } from "./statistics.js";
export type { TextCodec } from "./text-codec.js";
export type { IterationRecord, Trajectory, Truncation } from "./trajectory.js";
export type { NodeBranchingOptions } from "./tree-sampler-options.js";
