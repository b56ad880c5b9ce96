export type { RolloutAnalysis } from "./analyze-lines.js";
export { analysisToJson, analyzeRolloutLines } from "./analyze-lines.js";
export type { BatchSummary } from "./batch-summary.js";
export { BatchAccumulator, summarizeBatch } from "./batch-summary.js";
export { binaryEntropy, binaryEntropyDerivative, smoothedValue } from "./binary-entropy.js";
export { IbScoreInputError } from "./errors.js";
export { formatAnalysis } from "./format-analysis.js";
export type {
  PaperNodeScore,
  PaperScoreOptions,
  ResolvedPaperScoreOptions,
} from "./paper-score.js";
export {
  defaultPaperScoreOptions,
  paperNodeScore,
  paperScoreFromSums,
  relativeValueGain,
  resolvePaperScoreOptions,
} from "./paper-score.js";
export type { ResponseInput } from "./prefix-tree.js";
export { addResponse, buildPrefixTree } from "./prefix-tree.js";
export type { NodeId, StepInput, TrajectoryOptions } from "./reasoning-tree.js";
export { ReasoningTree } from "./reasoning-tree.js";
export type { PromptReport, RolloutAnalyzerOptions } from "./rollout-analyzer.js";
export { RolloutAnalyzer } from "./rollout-analyzer.js";
export type { RolloutRecord } from "./rollout-record.js";
export { parseRolloutRecord } from "./rollout-record.js";
export type { IbScoreOptions, ResolvedIbScoreOptions, StepEntropyMode } from "./score-options.js";
export { defaultIbScoreOptions, resolveIbScoreOptions } from "./score-options.js";
export type { DepthScore, IbParts, TreeScore } from "./score-tree.js";
export { scoreTree } from "./score-tree.js";
export type { StepProbabilityMode } from "./step-probability.js";
export { checkStepProbabilityMode, stepProbability, stepProbabilityModes } from "./step-probability.js";
export type { TreeJson, TreeNodeJson } from "./tree-json.js";
export { treeFromJson, treeToJson } from "./tree-json.js";
