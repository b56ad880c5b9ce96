import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { headerComment } from "../../../scripts/command-line.mjs";

const bench = new URL("./alignment-differences.ts", import.meta.url).pathname;

function run(args: readonly string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", bench, ...args], { encoding: "utf8" });
}

describe("the scripts' command line (scripts/command-line.mjs)", () => {
  it("reads a header of // lines up to the first line of code", () => {
    expect(headerComment("// Usage: x [--n N]\n//\n// More.\nimport a from 'a';\n// later")).toBe(
      "Usage: x [--n N]\n\nMore.",
    );
  });

  it("reads a /** */ header without its markers, keeping indentation past the '* '", () => {
    const source = "/**\n * First line.\n *\n *   npx tsx bench/x.ts [--steps 4]\n */\nimport a from 'a';";
    expect(headerComment(source)).toBe("First line.\n\n  npx tsx bench/x.ts [--steps 4]");
  });

  it("answers --help with the header comment, also after pnpm's '--'", () => {
    for (const args of [["--help"], ["--", "-h"]]) {
      const result = run(args);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^Pooled cosines and paired differences/);
    }
  });

  it("refuses an unknown option in one line naming the script, exit 2, no stack trace", () => {
    const result = run(["--baselin", "x"]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe("alignment-differences: Unknown option '--baselin' (--help shows the usage)");
    // node's own message for a value that starts with '-' has three lines; it is joined into one.
    const ambiguous = run(["--baseline", "-x"]);
    expect(ambiguous.status).toBe(2);
    expect(ambiguous.stderr.trim()).toMatch(
      /^alignment-differences: Option '--baseline' argument is ambiguous\. [^\n]*--help/,
    );
  });

  it("refuses an integer argument that is not one, or below its minimum, naming it", () => {
    const script = new URL("../../../experiments/line-walk-choices.mjs", import.meta.url).pathname;
    for (const [flag, text, minimum] of [
      ["--samples", "0", 1],
      ["--problems", "2.5", 1],
      ["--seed", "-1", 0],
      ["--samples", "", 1],
    ] as const) {
      const result = spawnSync(process.execPath, [script, `${flag}=${text}`, "checkpoint"], { encoding: "utf8" });
      expect(result.status).toBe(2);
      expect(result.stderr.trim()).toBe(`line-walk-choices: ${flag} must be an integer >= ${minimum}, got "${text}"`);
    }
  });
});
