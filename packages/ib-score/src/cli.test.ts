import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const cli = new URL("./cli.ts", import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", cli, ...args], { encoding: "utf8" });
const directory = mkdtempSync(join(tmpdir(), "ib-score-cli-"));
const write = (name: string, lines: string[]) => {
  const path = join(directory, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
};
const record = (promptId: string, tokens: number[], reward: number) =>
  JSON.stringify({
    prompt_id: promptId,
    tokens,
    logprobs: tokens.map(() => -1),
    entropies: tokens.map(() => 1),
    step_ends: [tokens.length],
    reward,
  });

describe("ib-score analyze", () => {
  it("prints JSON with the documented fields, honouring --beta and --alpha", () => {
    const file = write("good.jsonl", [record("q", [1], 1), record("q", [2], 0)]);
    const result = run("analyze", file, "--json", "--estimator", "shannon", "--alpha", "0", "--beta", "2");
    expect(result.status).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.summary.ib_score).toBeCloseTo(1 + 2 * Math.LN2, 12);
    expect(output.prompts[0].branching_nodes).toBe(1);
  });

  it("prints a readable table by default", () => {
    const result = run("analyze", write("table.jsonl", [record("q", [1], 1), record("q", [2], 0)]));
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Eff-Rate\s+1\.0000/);
    expect(result.stdout).toMatch(/prompt_id\s+traj/);
  });

  it("reports a bad line as file:line, exits non-zero and prints no result", () => {
    const file = write("bad.jsonl", [record("q", [1], 1), "{not json"]);
    const result = run("analyze", file, "--json");
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`${file}:2: invalid JSON`);
  });

  it("rejects bad options and unknown commands with a usage message", () => {
    const file = write("opt.jsonl", [record("q", [1], 1)]);
    expect(run("analyze", file, "--entropy", "mean").stderr).toMatch(
      /option entropy: entropy must be 'token-mean' or 'token-sum'/,
    );
    expect(run("analyze", file, "--beta", "x").stderr).toMatch(/--beta: expected a number, got "x"/);
    const unknown = run("score", file);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/expected "analyze <file>"/);
    expect(run("analyze", join(directory, "missing.jsonl")).stderr).toMatch(/ENOENT/);
  });
});

describe("ib-score analyze table", () => {
  it("shows --limit prompts and counts the rest", () => {
    const file = write(
      "many.jsonl",
      ["a", "b", "c"].map((id) => record(id, [1], 1)),
    );
    const result = run("analyze", file, "--limit", "1");
    expect(result.stdout).toMatch(/^a\s+1/m);
    expect(result.stdout).not.toMatch(/^b\s+1/m);
    expect(result.stdout).toContain("... 2 more prompts");
  });
});

describe("ib-score analyze input formats", () => {
  it("reads a text dump with custom keys and says what needs log-probs", () => {
    const file = write("text.jsonl", [
      JSON.stringify({ input: "q", output: "a\n\nb", score: 1 }),
      JSON.stringify({ input: "q", output: "a\n\nc", score: 0 }),
    ]);
    const flags = ["--prompt-key", "input", "--response-key", "output", "--reward-key", "score"];
    const result = run("analyze", file, "--json", "--alpha", "0", "--step-delimiter", "\\n\\n", ...flags);
    expect(result.stderr).toBe("");
    const output = JSON.parse(result.stdout);
    expect(output.summary).toMatchObject({ format: "text", missing_logprobs: true, ib_score: null, avg_rate: 0.5 });
    // Scored nodes (two draws each): the root (one child, I = 0) and "a\n\n" (children b, c: I = ln 2).
    expect(output.prompts[0]).toMatchObject({
      nodes: 3,
      branching_nodes: 1,
      scored_nodes: 2,
      cov: null,
      I: Math.LN2 / 2,
    });
    expect(run("analyze", file, ...flags).stdout).toContain("the input has no log-probs");
  });

  it("reports invalid UTF-8 and an unknown format as file:line, without a stack trace", () => {
    const path = join(directory, "latin1.jsonl");
    writeFileSync(
      path,
      Buffer.concat([Buffer.from(`${record("q", [1], 1)}\n{"prompt_id": "`), Buffer.of(0xe9), Buffer.from('"}\n')]),
    );
    const result = run("analyze", path);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(`ib-score: ${path}:2: not valid UTF-8`);
    const unknown = run("analyze", write("unknown.jsonl", ['{"prompt": "q"}']));
    expect(unknown.stderr).toMatch(/unknown\.jsonl:1: cannot tell the format/);
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
  });

  it("shows one example of each format in --help", () => {
    const help = run("analyze", "--help").stdout;
    for (const format of ["tokens", "openai", "text"]) expect(help).toMatch(new RegExp(`^  ${format}\\s+\\{`, "m"));
  });
});
