export type {
  KlEstimator,
  LossAggregation,
  PolicyLossOptions,
  ResolvedPolicyLossOptions,
} from "../loss-options.js";
export { aggregateTokenValues } from "./aggregate-token-values.js";
export type { ClippedSurrogate, ClipSettings } from "./clipped-surrogate.js";
export { clippedSurrogate } from "./clipped-surrogate.js";
export { entropyBonus } from "./entropy-bonus.js";
export { klPenalty } from "./kl-penalty.js";
export { klRegularizer } from "./kl-regularizer.js";
export type { LossDiagnostics, LossDiagnosticsTensors } from "./loss-diagnostics.js";
export { disposeLossDiagnostics, readLossDiagnostics } from "./loss-diagnostics.js";
export type { PolicyLossResult, TfjsPolicyLossOptions } from "./policy-loss.js";
export { policyLoss } from "./policy-loss.js";
export type { PolicyLossInputs } from "./policy-loss-inputs.js";
export type { Regularizer, RegularizerBatch, RegularizerOutputs } from "./regularizer.js";
export { stopGradient } from "./stop-gradient.js";
