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
  });
});
