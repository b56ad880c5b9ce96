import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { temporaryDirectory } from "../test/run-cli.test-helper.js";

const bench = new URL("./gradient-alignment.ts", import.meta.url).pathname;

function runBench(args: readonly string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", bench, ...args], {
    encoding: "utf8",
    env: { ...process.env, IBTPO_BACKEND: "wasm" },
  });
}

describe("gradient-alignment bench", () => {
  it("prints one table row per variant and writes the pooled cosines of both checkpoints", () => {
    const out = join(temporaryDirectory("alignment"), "alignment.json");
    const run = runBench([
      ...["--task", "countdown", "--batches", "2", "--prompts", "2", "--budget", "32", "--derive-steps", "1"],
      ...["--variant", "ib-tpo lambda 0:algorithm=ib-tpo,advantage.lambda=0", "--out", out],
    ]);
    expect(run.status, run.stderr).toBe(0);
    const rows = run.stdout.split("\n").filter((line) => line.startsWith("| "));
    // Header, separator, the five default variants and the one given.
    expect(rows).toHaveLength(8);
    expect(rows.every((row) => row.split("|").length === 10)).toBe(true);
    expect(rows.map((row) => row.split("|")[1]!.trim()).slice(2)).toEqual([
      "grpo (chains)",
      "ib-tpo (ib-tree, paper defaults)",
      "ib-tpo advantages on chains",
      "grpo advantages on ib-tree",
      "treerl (entropy-tree)",
      "ib-tpo lambda 0",
    ]);
    expect(run.stderr).toMatch(/base \+ 1 grpo steps batch 1\/1/);
    // tfjs memory stays flat: the same live tensors after every batch of either checkpoint.
    const live = [...run.stderr.matchAll(/live tensors (\d+)/g)].map((match) => Number(match[1]));
    expect(live).toHaveLength(2);
    expect(live[1]).toBe(live[0]);
    const document = JSON.parse(readFileSync(out, "utf8"));
    expect(document.finished).toBe(true);
    expect(document.machine.cpu).not.toBe("");
    expect(document.checkpoints.map((checkpoint: { label: string }) => checkpoint.label)).toEqual([
      "base",
      "base + 1 grpo steps",
    ]);
    const measured = document.checkpoints.reduce(
      (sum: number, checkpoint: { batches: number }) => sum + checkpoint.batches,
      0,
    );
    expect(measured + document.referenceZeroBatches).toBe(2);
    for (const variant of document.variants) {
      expect(variant.cosines).toHaveLength(measured);
      for (const cosine of variant.cosines) expect(Math.abs(cosine)).toBeLessThanOrEqual(1 + 1e-9);
      expect(variant.generatedTokensPerPrompt).toBeLessThanOrEqual(32);
    }
  });

  it("names a bad variant key and exits with status 2", () => {
    const run = runBench(["--batches", "1", "--no-defaults", "--variant", "bad:advantage.nonsense=1"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/variant bad: .*advantage.nonsense/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
