/** A config key whose value in a run folder's config.json is not the one a command would train with. */
export interface SettingDifference {
  /** Dotted config key, e.g. `optimizer.learningRate`. */
  readonly key: string;
  /** The value recorded in the run folder (undefined: not set there). */
  readonly there: unknown;
  /** The value the command would train with (undefined: not set). */
  readonly now: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every value of a settings object by dotted key; arrays and scalars are values, objects are walked. */
function settingValues(settings: Record<string, unknown>, prefix = "", into = new Map<string, unknown>()) {
  for (const [key, value] of Object.entries(settings)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (isPlainObject(value)) settingValues(value, path, into);
    else if (value !== undefined) into.set(path, value);
  }
  return into;
}

/**
 * The keys whose values differ between recorded and expected settings, the expected settings' keys
 * first, in their order. Values are compared as JSON, so `{}` and an absent object are the same.
 *
 * @example
 * settingDifferences({ optimizer: { learningRate: 1e-4 } }, { optimizer: { learningRate: 5e-5 } });
 * // [{ key: "optimizer.learningRate", there: 0.0001, now: 0.00005 }]
 */
export function settingDifferences(
  recorded: Record<string, unknown>,
  expected: Record<string, unknown>,
): SettingDifference[] {
  const there = settingValues(recorded);
  const now = settingValues(expected);
  const keys = new Set([...now.keys(), ...there.keys()]);
  return [...keys]
    .filter((key) => JSON.stringify(there.get(key)) !== JSON.stringify(now.get(key)))
    .map((key) => ({ key, there: there.get(key), now: now.get(key) }));
}

/** `key A there, B now`, with JSON values (`unset` for a key set on one side only). */
export function describeDifference(difference: SettingDifference): string {
  const shown = (value: unknown) => (value === undefined ? "unset" : JSON.stringify(value));
  return `${difference.key} ${shown(difference.there)} there, ${shown(difference.now)} now`;
}
