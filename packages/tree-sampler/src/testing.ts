// Test doubles for code built on tree-sampler: a tabular Markov policy with exact per-token
// probabilities, and the reference policy and task (a small, fast, seeded stand-in for a language
// model and a verifier). Published as `@ibtpo/tree-sampler/testing`, apart from the main entry.
export type { MarkovPolicyOptions } from "./markov-policy.js";
export { MarkovPolicy } from "./markov-policy.js";
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
