// The command line of the repository's scripts and benchmarks (experiments/*.mjs, the packages'
// bench/*.ts): `--help` prints the script's header comment (where each script documents its usage,
// so the usage has one home), and a mistake on the command line or in the input is one line that
// names the script, never a stack trace.
import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** Exit code of a refused command line or input (as the `ibtpo` CLI uses for bad input). */
const BAD_INPUT_EXIT = 2;

/** The script's name as its messages start: the file name without extension. */
function scriptName(scriptUrl) {
  const file = fileURLToPath(scriptUrl);
  return basename(file, extname(file));
}

/**
 * A `fail(message)` for the script at `scriptUrl` (its `import.meta.url`): prints
 * "<script>: message" to stderr and exits with code 2.
 */
export function scriptFailure(scriptUrl) {
  const name = scriptName(scriptUrl);
  return (message) => {
    console.error(`${name}: ${message}`);
    process.exit(BAD_INPUT_EXIT);
  };
}

/**
 * The integer in an argument's text, at least `minimum`; anything else fails the script at
 * `scriptUrl` with "<label> must be an integer >= <minimum>, got "<text>"" (the label as the user
 * knows the argument: "--steps", or "rounds" for a positional one).
 */
export function integerOption(scriptUrl, label, text, minimum = 1) {
  const value = Number(text);
  if (text === undefined || text.trim() === "" || !Number.isInteger(value) || value < minimum)
    scriptFailure(scriptUrl)(`${label} must be an integer >= ${minimum}, got "${text ?? ""}"`);
  return value;
}

/**
 * The comment a script opens with, without its markers: a run of `//` lines or one `/** ... *\/`
 * block (the two styles the scripts use).
 */
export function headerComment(source) {
  const lines = source.split("\n");
  if (lines[0]?.trimStart().startsWith("/**")) {
    const header = [];
    for (const line of lines.slice(1)) {
      if (line.trimStart().startsWith("*/")) break;
      header.push(line.replace(/^\s*\* ?/, "").replace(/^\s*\*$/, ""));
    }
    return header.join("\n");
  }
  const header = [];
  for (const line of lines) {
    if (!line.startsWith("//")) break;
    header.push(line.replace(/^\/\/ ?/, ""));
  }
  return header.join("\n");
}

/** The command line's arguments without the leading "--" that `pnpm <script> -- ...` passes on. */
export function scriptArguments() {
  const given = process.argv.slice(2);
  return given[0] === "--" ? given.slice(1) : given;
}

/**
 * node:util's parseArgs over the script's arguments (`config.args`, else {@link scriptArguments}), with `--help` (or `-h`, before any
 * `--`) printing the header comment and exiting 0, and an unknown or malformed option reported as
 * one line that points at `--help`.
 *
 * @example
 * const { values } = parseScriptArguments(import.meta.url, { options: { out: { type: "string" } } });
 */
export function parseScriptArguments(scriptUrl, config) {
  const argv = config.args ?? scriptArguments();
  const separator = argv.indexOf("--");
  const ownArguments = separator === -1 ? argv : argv.slice(0, separator);
  if (ownArguments.includes("--help") || ownArguments.includes("-h")) {
    console.log(headerComment(readFileSync(fileURLToPath(scriptUrl), "utf8")));
    process.exit(0);
  }
  try {
    return parseArgs({ ...config, args: argv });
  } catch (error) {
    // node's hint about positionals that start with '-' is noise for these scripts.
    const reason = error.message.replace(/\. To specify a positional argument.*$/s, "").replace(/\s*\n\s*/g, " ");
    scriptFailure(scriptUrl)(`${reason} (--help shows the usage)`);
  }
}
