import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, temporaryDirectory } from "./run-cli.test-helper.js";

const example = (name: string) => new URL(`../../../examples/${name}`, import.meta.url).pathname;
const work = temporaryDirectory("advantages");

describe("ibtpo advantages", () => {
  it("writes every line of the openai example back with one advantage per token, to --out", () => {
    const out = join(work, "openai.advantages.jsonl");
    const result = runCli(["advantages", example("rollouts.openai.jsonl"), "--out", out, "--option", "lambda=0.2"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const input = readFileSync(example("rollouts.openai.jsonl"), "utf8").trim().split("\n");
    const output = readFileSync(out, "utf8").trim().split("\n");
    expect(output).toHaveLength(input.length);
    output.forEach((line, index) => {
      const written = JSON.parse(line) as { advantages: number[]; logprobs: { tokens: string[] } };
      const { advantages, ...rest } = written;
      expect(rest).toEqual(JSON.parse(input[index]!));
      expect(advantages).toHaveLength(written.logprobs.tokens.length);
    });
  });

  it("leaves no output file and names the line when the input is bad", () => {
    const bad = join(work, "bad.jsonl");
    writeFileSync(bad, '{"prompt_id": "a", "text": "x", "logprobs": null, "reward": 3}\n');
    const out = join(work, "never.jsonl");
    const result = runCli(["advantages", bad, "--out", out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${bad}:1: reward must be a number in [0, 1], got 3`);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(work).filter((name) => name.includes(".tmp"))).toEqual([]);
  });

  it("names an option that does not belong to the estimator", () => {
    const result = runCli([
      "advantages",
      example("rollouts.sample.jsonl"),
      "--estimator",
      "grpo",
      "--option",
      "lambda=1",
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("estimator grpo: option advantage.lambda: does not apply to estimator 'grpo'");
  });
});
