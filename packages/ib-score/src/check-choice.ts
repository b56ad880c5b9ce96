import { IbScoreInputError } from "./errors.js";

/**
 * `value` if it is one of `choices`, else an error naming the option and listing the choices:
 * "estimator must be one of 'paper', 'shannon', got 'x'".
 */
export function checkChoice<T extends string>(
  value: unknown,
  choices: readonly T[],
  name: string,
  location: string,
): T {
  if (!(choices as readonly unknown[]).includes(value)) {
    const listed = choices.map((choice) => `'${choice}'`).join(", ");
    throw new IbScoreInputError(`${name} must be one of ${listed}, got '${String(value)}'`, location);
  }
  return value as T;
}
