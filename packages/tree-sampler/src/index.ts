export type { FinishReason, Generation, GenerationRequest, Policy, SamplingSettings } from "./policy.js";
