import { TreeSamplerError } from "./errors.js";

/** Throws unless `value` is an integer >= `minimum` (or +Infinity when `allowInfinity`). */
export function checkCount(value: number, key: string, minimum = 1, allowInfinity = false): number {
  const ok = (Number.isInteger(value) && value >= minimum) || (allowInfinity && value === Number.POSITIVE_INFINITY);
  if (!ok) {
    const range = allowInfinity ? `an integer >= ${minimum} or Infinity` : `an integer >= ${minimum}`;
    throw new TreeSamplerError(`must be ${range}, got ${value}`, `option ${key}`);
  }
  return value;
}
