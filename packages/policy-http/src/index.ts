/** Re-exported from `@ibtpo/tree-sampler`, its home. */
export type { TextCodec } from "@ibtpo/tree-sampler";
export { Backoff, type BackoffOptions } from "./backoff.js";
export { type CompletionContext, type EntropySource, generationFromCompletion } from "./completion-response.js";
export { completionsBody, type WireFormat } from "./completions-request.js";
export { ConcurrencyLimiter } from "./concurrency-limiter.js";
export { type ConnectedPolicy, type ConnectOptions, connectCompletionsPolicy } from "./connect-policy.js";
export { entropyLowerBound } from "./entropy-bound.js";
export { PolicyHttpError, type PolicyHttpErrorKind, type PolicyHttpErrorOptions } from "./errors.js";
export { listModels, type ServerModel } from "./list-models.js";
export {
  OpenAICompletionsPolicy,
  type OpenAICompletionsPolicyOptions,
  serverRoot,
} from "./openai-completions-policy.js";
export { RemoteTokenizer, type RemoteTokenizerOptions } from "./remote-tokenizer.js";
export { isRetryableStatus, type RequestJsonOptions, requestJson, retryAfterSeconds } from "./request-json.js";
export { type RetryOptions, withRetries } from "./retry.js";
export {
  detectServerKind,
  type LogprobTemperature,
  SERVER_DIALECTS,
  SERVER_KINDS,
  type ServerDialect,
  type ServerKind,
} from "./server-dialect.js";
export { type TokenIdSource, tokenIdOf } from "./token-ids.js";
