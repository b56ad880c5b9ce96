/** Re-exported from `@ibtpo/tree-sampler`, its home. */
export type { TextCodec } from "@ibtpo/tree-sampler";
export type { TrajectoryCalibration } from "./calibration.js";
export { calibrateWithRandomTrajectories } from "./calibration.js";
export { writeFileAtomic } from "./comparison/atomic-write.js";
export type { MeanWithInterval } from "./comparison/confidence-interval.js";
export { meanConfidenceInterval } from "./comparison/confidence-interval.js";
export type { PairedDifference } from "./comparison/paired-difference.js";
export { pairedDifferences } from "./comparison/paired-difference.js";
export { isProcessRunning } from "./comparison/process-running.js";
export type { ComparisonOptions, ComparisonResults, RunSpec } from "./comparison/run-comparison.js";
export { runComparison } from "./comparison/run-comparison.js";
export type { LatestCheckpoint, RunConfig, RunResult, StoredRun } from "./comparison/run-folder.js";
export {
  isRunFolder,
  RUN_FILES,
  RunFolder,
  readRunConfig,
  readRunFolder,
  runFolderPath,
  stepTreeFiles,
  writeRunFolder,
} from "./comparison/run-folder.js";
export type { StepMetrics } from "./comparison/step-metrics.js";
export { checkedStepMetrics, OPTIONAL_METRIC_NAMES } from "./comparison/step-metrics.js";
export { studentTCdf, studentTQuantile } from "./comparison/student-t.js";
export type { SummaryRow } from "./comparison/summarize-runs.js";
export { runMetricValues, summarizeRuns } from "./comparison/summarize-runs.js";
export { syntheticRunResult } from "./comparison/synthetic-run.js";
export type { AnswerVerifier, AnswerVerifierName } from "./dataset/answer-verifiers.js";
export { ANSWER_VERIFIERS, resolveAnswerVerifier } from "./dataset/answer-verifiers.js";
export type { Dataset, DatasetOptions, DatasetRecord } from "./dataset/jsonl-dataset.js";
export { DatasetError, loadJsonlDataset, parseJsonlDataset } from "./dataset/jsonl-dataset.js";
export { BenchHarnessError } from "./errors.js";
export type {
  EvaluationOptions,
  EvaluationProgress,
  EvaluationSummary,
  PolicyEvaluation,
  ProblemEvaluation,
  ResponseOutcome,
} from "./evaluation/evaluate-policy.js";
export { evaluatePolicy } from "./evaluation/evaluate-policy.js";
export { passAtK } from "./evaluation/pass-at-k.js";
export { sampleIbScore, stepEndsAt } from "./evaluation/sample-ib-score.js";
export type { SymbolCodec } from "./evaluation/text-codec.js";
export { createSymbolCodec } from "./evaluation/text-codec.js";
export { createTrajectoryPolicy } from "./evaluation/trajectory-policy.js";
export type { Random } from "./random.js";
/** `createRandom` and `deriveSeed` are deprecated: use `Mulberry32` and `deriveSeedSplitMix32` of `@ibtpo/random`. */
export { createRandom, deriveSeed, hashString } from "./random.js";
export type { CurveStyle, VegaLiteSpec } from "./report/chart-specs.js";
export { DEFAULT_CURVE_STYLE } from "./report/chart-specs.js";
export type { MeanIntervalLike, MeanIntervalTextOptions } from "./report/interval-text.js";
export { formatMeanInterval } from "./report/interval-text.js";
export { renderSvg } from "./report/render-svg.js";
export type { SeedBandPoint } from "./report/seed-bands.js";
export { seedBands } from "./report/seed-bands.js";
export type { ReportOptions } from "./report/write-report.js";
export { loadRuns, REPORT_FILES, renderReport, writeReportFiles } from "./report/write-report.js";
export type { SftExample } from "./sft-examples.js";
export { sftExamples } from "./sft-examples.js";
export type { SampleProblemsOptions, SplitFractions } from "./splits.js";
export { assertDisjoint, DEFAULT_SPLIT_FRACTIONS, sampleProblems, splitOf } from "./splits.js";
export type { ParsedResponse, Problem, ResponseVerifier, Split, Task, Verification } from "./task.js";
export { responseLines, STEP_DELIMITER } from "./task.js";
export type { CountdownData, CountdownOptions } from "./tasks/countdown.js";
export { createCountdownTask } from "./tasks/countdown.js";
export type { GraphPathData, GraphPathOptions } from "./tasks/graph-path.js";
export { createGraphPathTask } from "./tasks/graph-path.js";
export type { LineWalkData, LineWalkOptions } from "./tasks/line-walk.js";
export { createLineWalkTask, lineWalkCanFinish, lineWalkLandings, lineWalkStepText } from "./tasks/line-walk.js";
export type { BuiltinTaskName, BuiltinTaskOptions } from "./tasks/registry.js";
export { BUILTIN_TASK_NAMES, createBuiltinTask } from "./tasks/registry.js";
export type { SortSwapsData, SortSwapsOptions } from "./tasks/sort-swaps.js";
export { createSortSwapsTask } from "./tasks/sort-swaps.js";
export { characterVocabulary, firstUncovered } from "./vocabulary.js";
