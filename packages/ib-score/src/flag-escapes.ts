/**
 * A command-line flag value with the escapes `\n`, `\t`, `\r` and `\\` read, so a shell user can
 * type `--step-delimiter '\n\n'` for a blank line.
 *
 * @example
 * readFlagEscapes("\\n\\n"); // "\n\n"
 */
export function readFlagEscapes(value: string): string {
  return value.replace(/\\([ntr\\])/g, (_, c: string) => ({ n: "\n", t: "\t", r: "\r", "\\": "\\" })[c] as string);
}
