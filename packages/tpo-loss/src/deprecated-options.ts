import { TpoLossInputError } from "./errors.js";

/** Receives the message of a deprecated option; by default `console.warn`. */
export type DeprecationWarningHandler = (message: string) => void;

const consoleWarning: DeprecationWarningHandler = (message) => console.warn(message);
let handler: DeprecationWarningHandler = consoleWarning;
const warned = new Set<string>();

/**
 * Route the warnings about deprecated option names (each is given once per process and name) to
 * `next`, for example a logger, or pass null to restore `console.warn`. Setting a handler forgets
 * which names were already reported, so the next use of each warns again.
 *
 * @example
 * const messages: string[] = [];
 * setDeprecationWarningHandler((message) => messages.push(message));
 * trainingPreset("ib-tpo", { advantage: { beta: 5 } }); // messages[0] names 'informationWeight'
 */
export function setDeprecationWarningHandler(next: DeprecationWarningHandler | null): void {
  handler = next ?? consoleWarning;
  warned.clear();
}

/** An option name that was replaced: its new name and why it was renamed. */
export interface OptionRename {
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

/**
 * Return `options` with every deprecated key moved to its new name, warning once per name. Giving
 * both the old and the new name is an error, since the two could disagree.
 */
export function renameDeprecatedOptions<T extends object>(
  options: T,
  renames: readonly OptionRename[],
  scope: string,
): T {
  let result: Record<string, unknown> | null = null;
  for (const { from, to, reason } of renames) {
    const value = (options as Record<string, unknown>)[from];
    if (value === undefined) continue;
    if ((options as Record<string, unknown>)[to] !== undefined) {
      throw new TpoLossInputError(`is the deprecated name of '${to}'; give only '${to}'`, `option ${scope}${from}`);
    }
    const key = `${scope}${from}`;
    if (!warned.has(key)) {
      warned.add(key);
      handler(`@ibtpo/tpo-loss: option '${key}' is deprecated, use '${scope}${to}' (${reason})`);
    }
    const renamed: Record<string, unknown> = result ?? { ...(options as Record<string, unknown>) };
    delete renamed[from];
    renamed[to] = value;
    result = renamed;
  }
  return (result ?? options) as T;
}
