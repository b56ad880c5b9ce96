import { parse } from "yaml";
import { checkedConfigPath } from "./checked-config-path.js";
import { ConfigError } from "./config-error.js";
import type { ConfigOverride } from "./load-config.js";

/**
 * `--set key.path=value` flags as overrides; values are read as YAML scalars, so `--set
 * optimizer.learningRate=3e-4` gives a number and `--set sampler.kind=ib-tree` a string.
 */
export function parseSetFlags(flags: readonly string[]): ConfigOverride[] {
  return flags.map((flag) => {
    const equals = flag.indexOf("=");
    if (equals <= 0)
      throw new ConfigError(`--set expects key=value (e.g. --set optimizer.learningRate=3e-4), got "${flag}"`);
    return { path: checkedConfigPath(flag.slice(0, equals), "--set"), value: parse(flag.slice(equals + 1)) };
  });
}

/** Overrides for the named flags that were given (commander leaves the others undefined). */
export function flagOverrides(
  values: Record<string, unknown>,
  mapping: Readonly<Record<string, string>>,
): ConfigOverride[] {
  return Object.entries(mapping)
    .filter(([flag]) => values[flag] !== undefined)
    .map(([flag, path]) => ({ path, value: values[flag] }));
}

/** Commander parser for numeric flags that keeps the raw text when it is not a number, for the schema to name. */
export function numberFlag(value: string): number | string {
  const parsed = Number(value);
  return value.trim() !== "" && !Number.isNaN(parsed) ? parsed : value;
}
