const marker = Symbol.for("@ibtpo/tpo-loss/TpoLossInputError");

/**
 * Invalid input to an advantage estimator or a loss: names what is wrong and where
 * (`location` is an option key, a group or sequence index, a tensor name with its shape).
 *
 * @example
 * try {
 *   grpoAdvantages([1, 0], [3]);
 * } catch (error) {
 *   if (TpoLossInputError.isInstance(error)) console.error(error.location, error.message);
 * }
 */
export class TpoLossInputError extends Error {
  readonly [marker] = true;
  readonly location: string | undefined;

  constructor(message: string, location?: string) {
    super(location === undefined ? message : `${location}: ${message}`);
    this.name = "TpoLossInputError";
    this.location = location;
  }

  /** True for errors thrown by any installed copy of this package. */
  static isInstance(error: unknown): error is TpoLossInputError {
    return typeof error === "object" && error !== null && marker in error;
  }
}

/** Reject a non-finite option value, naming the option. */
export function requireFinite(value: number, key: string): number {
  if (!Number.isFinite(value)) throw new TpoLossInputError(`must be a finite number, got ${value}`, `option ${key}`);
  return value;
}

/** Reject a value outside [minimum, +inf), naming the option. */
export function requireAtLeast(value: number, minimum: number, key: string): number {
  if (!(value >= minimum && value < Number.POSITIVE_INFINITY)) {
    throw new TpoLossInputError(`must be a finite number >= ${minimum}, got ${value}`, `option ${key}`);
  }
  return value;
}

/** Reject a count that is not a positive integer, naming what it counts (not an option key). */
export function requirePositiveCount(value: number, location: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new TpoLossInputError(`must be a positive integer, got ${value}`, location);
  }
  return value;
}

/** Reject a value that is not one of the allowed strings, listing them. */
export function requireOneOf<T extends string>(value: T, allowed: readonly T[], key: string): T {
  if (!allowed.includes(value)) {
    throw new TpoLossInputError(
      `must be one of ${allowed.map((item) => `'${item}'`).join(", ")}, got '${String(value)}'`,
      `option ${key}`,
    );
  }
  return value;
}
