import type { ResponseInput } from "./prefix-tree.js";
import { RolloutLineReader } from "./rollout-formats.js";

/** One line of a rollouts JSONL file: a response to a prompt, cut into steps. */
export interface RolloutRecord extends ResponseInput {
  readonly promptId: string;
}

// The tokens format interns nothing, so one reader serves every call.
const tokensReader = new RolloutLineReader({ format: "tokens" });

/**
 * Parse and validate one JSONL line of the 'tokens' format: `prompt_id` (string or integer),
 * `tokens` (int[]), `logprobs` (number[], same length), `entropies` (number[], optional),
 * `step_ends` (int[]), `reward` (number in [0, 1]), `truncated` (boolean, optional), `reused_steps`
 * (integer >= 0, optional). Other fields
 * are ignored. Errors carry `location` (file:line). `formatRolloutRecord` writes this format.
 * Other formats: `RolloutLineReader`.
 */
export function parseRolloutRecord(line: string, location: string): RolloutRecord {
  return tokensReader.parse(line, location);
}
