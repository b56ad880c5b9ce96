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
    const result = run("analyze", file, "--json", "--alpha", "0", "--beta", "2");
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
