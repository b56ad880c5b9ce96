export type { RolloutAnalysis } from "./analyze-lines.js";
export { analysisToJson, analyzeRolloutLines, summaryToJson } from "./analyze-lines.js";
export type { BatchSummary } from "./batch-summary.js";
export { BatchAccumulator, summarizeBatch } from "./batch-summary.js";
export { binaryEntropy, binaryEntropyDerivative, smoothedValue } from "./binary-entropy.js";
export { IbScoreInputError } from "./errors.js";
export { readFlagEscapes } from "./flag-escapes.js";
export { formatAnalysis } from "./format-analysis.js";
export { checkJsonSchema } from "./json-schema-check.js";
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
  valueRatio,
} from "./paper-score.js";
export type { ResponseInput } from "./prefix-tree.js";
export { addResponse, buildPrefixTree } from "./prefix-tree.js";
export { readUtf8Lines } from "./read-lines.js";
export type { NodeId, StepInput, TrajectoryOptions } from "./reasoning-tree.js";
export { ReasoningTree } from "./reasoning-tree.js";
export type { PromptReport, ReportedParts, RolloutAnalyzerOptions } from "./rollout-analyzer.js";
export { promptReport, RolloutAnalyzer } from "./rollout-analyzer.js";
export type { JsonSchema } from "./rollout-format-schemas.js";
export { rolloutFormatJsonSchema, rolloutFormatJsonSchemas } from "./rollout-format-schemas.js";
export type { RolloutFormat, RolloutFormatOptions } from "./rollout-formats.js";
export {
  checkRolloutFormat,
  cutTextIntoSteps,
  defaultRolloutFormatOptions,
  detectRolloutFormat,
  RolloutLineReader,
  reusedStepsKey,
  rolloutFormats,
} from "./rollout-formats.js";
export type { RolloutRecord } from "./rollout-record.js";
export { parseRolloutRecord } from "./rollout-record.js";
export type { SampledTrajectory } from "./rollout-writer.js";
export { formatRolloutRecord, trajectoryRolloutRecord } from "./rollout-writer.js";
export type {
  IbScoreEstimator,
  IbScoreOptions,
  ResolvedIbScoreOptions,
  StepEntropyMode,
} from "./score-options.js";
export {
  defaultBetaByEstimator,
  defaultIbScoreOptions,
  ibScoreEstimators,
  resolveIbScoreOptions,
  stepEntropyModes,
} from "./score-options.js";
export type { DepthScore, IbParts, TreeScore } from "./score-tree.js";
export { scoreTree } from "./score-tree.js";
export type { StepProbabilityMode } from "./step-probability.js";
export { checkStepProbabilityMode, stepProbability, stepProbabilityModes } from "./step-probability.js";
export type { TreeJson, TreeNodeJson } from "./tree-json.js";
export { treeFromJson, treeToJson } from "./tree-json.js";
export type { ViewerPrompt } from "./tree-viewer.js";
export { treeViewerHtml, viewerPrompt } from "./tree-viewer.js";
export type { TreeViewerPageOptions } from "./tree-viewer-page.js";
export { treeViewerPage } from "./tree-viewer-page.js";
