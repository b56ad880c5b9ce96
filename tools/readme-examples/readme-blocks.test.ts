import { describe, expect, it } from "vitest";
import { outputMatches, readmeBlocks } from "./readme-blocks.js";

describe("readmeBlocks", () => {
  it("finds the block after each marker with its example and line", () => {
    const markdown =
      "# x\n<!-- output of examples/a.ts -->\n```text\none\ntwo\n```\n\n<!-- code of examples/a.ts -->\n```ts\nf();\n```\n";
    expect(readmeBlocks(markdown)).toEqual([
      { kind: "output", example: "examples/a.ts", text: "one\ntwo", line: 2 },
      { kind: "code", example: "examples/a.ts", text: "f();", line: 8 },
    ]);
  });

  it("rejects a marker without a block", () => {
    expect(() => readmeBlocks("<!-- output of examples/a.ts -->\ntext\n")).toThrow(
      /line 1: a fenced block must follow/,
    );
  });
});

describe("outputMatches", () => {
  it("compares lines exactly, with ... for any lines and a trailing ... for a prefix", () => {
    expect(outputMatches("a\nb", "a\nb\n")).toBe(true);
    expect(outputMatches("a\nb", "a\nc\n")).toBe(false);
    expect(outputMatches("a\n...\nd", "a\nb\nc\nd\n")).toBe(true);
    expect(outputMatches("a\n...\nd", "a\nd\n")).toBe(true);
    expect(outputMatches("a\n...\nd", "a\nb\n")).toBe(false);
    expect(outputMatches("report: /tmp/x-...", "report: /tmp/x-123/report.html\n")).toBe(true);
    expect(outputMatches("a", "a\nextra\n")).toBe(false);
  });
});
