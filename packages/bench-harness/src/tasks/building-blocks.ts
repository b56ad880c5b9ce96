import { BenchHarnessError } from "../errors.js";
import { hashString } from "../random.js";
import { type ParsedResponse, type Problem, responseLines } from "../task.js";

/** Reads an integer difficulty knob, applying its default and rejecting values out of range. */
export function checkedOption(
  task: string,
  key: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < min || chosen > max) {
    throw new BenchHarnessError(`option "${key}" must be an integer in [${min}, ${max}], got ${value}`, task);
  }
  return chosen;
}

/** A problem whose id is the task name plus a hash of its prompt. */
export function problemOf<Data>(taskName: string, prompt: string, answer: string, data: Data): Problem<Data> {
  return { id: `${taskName}-${hashString(prompt).toString(16)}`, prompt, answer, data };
}

/**
 * Parses a response whose every line must match `pattern`; the answer is capture group
 * `answerGroup` of the last line.
 */
export function parseLinesMatching(response: string, pattern: RegExp, answerGroup: number): ParsedResponse {
  const steps = responseLines(response);
  const wellFormed = steps.length > 0 && steps.every((step) => pattern.test(step));
  const last = steps.length > 0 ? pattern.exec(steps[steps.length - 1] as string) : null;
  return { steps, answer: last ? (last[answerGroup] ?? null) : null, wellFormed };
}
