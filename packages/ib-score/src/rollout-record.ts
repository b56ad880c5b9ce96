import { IbScoreInputError } from "./errors.js";
import type { ResponseInput } from "./prefix-tree.js";

/** One line of a rollouts JSONL file: a response to a prompt, cut into steps. */
export interface RolloutRecord extends ResponseInput {
  readonly promptId: string;
}

/**
 * Parse and validate one JSONL line: `prompt_id` (string), `tokens` (int[]), `logprobs` (number[],
 * same length), `entropies` (number[], optional), `step_ends` (int[]), `reward` (number in [0, 1]),
 * `truncated` (boolean, optional). Other fields are ignored. Errors carry `location` (file:line).
 */
export function parseRolloutRecord(line: string, location: string): RolloutRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new IbScoreInputError(`invalid JSON (${(error as Error).message})`, location);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new IbScoreInputError("expected a JSON object", location);
  }
  const record = value as Record<string, unknown>;
  const promptId = record.prompt_id;
  if (typeof promptId !== "string") throw new IbScoreInputError("prompt_id must be a string", location);
  const tokens = numberArray(record.tokens, "tokens", location);
  const logprobs = numberArray(record.logprobs, "logprobs", location);
  const stepEnds = numberArray(record.step_ends, "step_ends", location);
  const entropies =
    record.entropies === undefined || record.entropies === null
      ? null
      : numberArray(record.entropies, "entropies", location);
  const reward = record.reward;
  if (typeof reward !== "number" || !(reward >= 0 && reward <= 1)) {
    throw new IbScoreInputError(`reward must be a number in [0, 1], got ${JSON.stringify(reward)}`, location);
  }
  const truncated = record.truncated;
  if (truncated !== undefined && typeof truncated !== "boolean") {
    throw new IbScoreInputError("truncated must be a boolean when present", location);
  }
  return { promptId, tokens, logprobs, entropies, stepEnds, reward, truncated: truncated === true };
}

function numberArray(value: unknown, field: string, location: string): number[] {
  if (!Array.isArray(value)) throw new IbScoreInputError(`${field} must be an array of numbers`, location);
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== "number") {
      throw new IbScoreInputError(`${field}[${i}] must be a number, got ${JSON.stringify(value[i])}`, location);
    }
  }
  return value as number[];
}
