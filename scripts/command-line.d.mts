// Types of command-line.mjs for the TypeScript benchmarks that import it.
import type { ParseArgsConfig, parseArgs } from "node:util";

/** A `fail(message)` that prints "<script>: message" to stderr and exits with code 2. */
export function scriptFailure(scriptUrl: string): (message: string) => never;

/** The integer in an argument's text, at least `minimum` (default 1); anything else fails the script naming `label`. */
export function integerOption(scriptUrl: string, label: string, text: string | undefined, minimum?: number): number;

/** The comment a script opens with (a run of `//` lines or one `/** ... *\/` block), without its markers. */
export function headerComment(source: string): string;

/** The command line's arguments without the leading "--" that `pnpm <script> -- ...` passes on. */
export function scriptArguments(): string[];

/** node:util's parseArgs with `--help` from the script's header comment and one-line errors. */
export function parseScriptArguments<T extends ParseArgsConfig>(
  scriptUrl: string,
  config: T,
): ReturnType<typeof parseArgs<T>>;
