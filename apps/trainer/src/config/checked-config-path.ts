import { ConfigError } from "./config-error.js";

/** Keys that would reach an object's prototype instead of a config key. */
const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * A dotted config key from the command line, refused when a part is empty or is `__proto__`,
 * `constructor` or `prototype` (setting those would change every object of the process).
 *
 * @example
 * checkedConfigPath("optimizer.learningRate", "--set"); // "optimizer.learningRate"
 */
export function checkedConfigPath(path: string, flag: string): string {
  for (const part of path.split(".")) {
    if (part === "") throw new ConfigError(`${flag} ${path}: a config key has no empty parts`);
    if (PROTOTYPE_KEYS.has(part)) throw new ConfigError(`${flag} ${path}: "${part}" is not a config key`);
  }
  return path;
}
