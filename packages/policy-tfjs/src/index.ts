export {
  BACKEND_ENVIRONMENT_VARIABLE,
  BACKEND_ORDER,
  type BackendChoice,
  type BackendSelection,
  type SelectBackendOptions,
  selectBackend,
} from "./backend/select-backend.js";
export {
  type CheckpointManifest,
  type LoadedCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from "./checkpoint/checkpoint.js";
export { decodeSafetensors, encodeSafetensors } from "./checkpoint/safetensors.js";
export { PolicyTfjsError } from "./errors.js";
export { type LeftPaddedLayout, leftPaddedLayout } from "./model/batch-layout.js";
export { KeyValueCache, type RowColumns, type RowKeyValues } from "./model/key-value-cache.js";
export { type ParameterSpec, parameterLayout, sinusoidalTable } from "./model/parameter-layout.js";
export {
  countParameters,
  type ResolvedTransformerConfig,
  resolveTransformerConfig,
  type TransformerConfig,
} from "./model/transformer-config.js";
export { type NamedWeight, TransformerModel } from "./model/transformer-model.js";
export { type DrawSettings, drawToken, type TokenDraw } from "./sampling/draw-token.js";
export { DEFAULT_PREFIX_CACHE_BYTES, KeyValuePrefixCache } from "./sampling/key-value-prefix-cache.js";
export { TfjsPolicy, type TfjsPolicyOptions } from "./sampling/tfjs-policy.js";
export { SPECIAL_TOKENS, SymbolTokenizer, type SymbolTokenizerJson } from "./tokenizer/symbol-tokenizer.js";
export type { MicroBatchLoss, ModuleLoss, ModuleLossResult } from "./training/accumulate-gradients.js";
export { batchLogProbs } from "./training/batch-log-probs.js";
export { type LearningRateSchedule, learningRateAt } from "./training/learning-rate-schedule.js";
export { logProbsInWorkers } from "./training/log-probs-in-workers.js";
export type { OptimizerState } from "./training/optimizer-state.js";
export {
  type OptimizerOptions,
  PolicyOptimizer,
  splitIntoMicroBatches,
  type TrainStepResult,
} from "./training/policy-optimizer.js";
export { type ResponseLogProbs, responseLogProbs, type TokenRow } from "./training/response-log-probs.js";
export { type RowScores, scoreRows } from "./training/score-rows.js";
export { SFT_LOSS_MODULE, sftLoss } from "./training/sft-loss.js";
/** @deprecated Use `Mulberry32` and `scrambleSeed` from `@ibtpo/random`. */
export { SeededRandom } from "./util/seeded-random.js";
export type { LogProbsBatch } from "./workers/model-worker.js";
export { ModelWorkerPool } from "./workers/model-worker-pool.js";
