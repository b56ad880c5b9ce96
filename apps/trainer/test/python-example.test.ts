import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, temporaryDirectory } from "./run-cli.test-helper.js";

const repository = new URL("../../../", import.meta.url).pathname;
const script = join(repository, "examples/python/apply_advantages.py");
const python = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8" });
const pythonMissing =
  python.error !== undefined ? "python3 is not installed" : python.status !== 0 ? "python3 has no numpy" : null;
if (pythonMissing !== null) console.warn(`skipping examples/python/apply_advantages.py: ${pythonMissing}`);

/** The script's `key: value` lines as numbers. */
function printed(stdout: string): Record<string, number> {
  return Object.fromEntries(
    stdout
      .trim()
      .split("\n")
      .map((line) => line.split(": "))
      .map(([key, value]) => [key, Number(value)]),
  );
}

describe.skipIf(pythonMissing !== null)("examples/python/apply_advantages.py", () => {
  const file = join(temporaryDirectory("python"), "advantages.jsonl");

  it("reads a file written by ibtpo advantages and applies it in the clipped loss", () => {
    const written = runCli(["advantages", join(repository, "examples/rollouts.sample.jsonl"), "--out", file]);
    expect(written.stderr).toBe("");
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { advantages: number[] });
    const all = lines.flatMap((line) => line.advantages);
    const tokenMean = all.reduce((sum, value) => sum + value, 0) / all.length;

    // Ratio 1 (the sampling policy itself): the clipped loss is -token-mean(A) and nothing clips.
    const still = spawnSync("python3", [script, file, "--shift", "0"], { encoding: "utf8" });
    expect(still.stderr).toBe("");
    const atOne = printed(still.stdout);
    expect(atOne.sequences).toBe(lines.length);
    expect(atOne.tokens).toBe(all.length);
    expect(atOne.mean_advantage).toBeCloseTo(tokenMean, 10);
    expect(atOne.loss).toBeCloseTo(-tokenMean, 10);
    expect(atOne.clip_fraction).toBe(0);

    // A moved policy: some tokens clip and the loss moves away from -mean(A).
    const moved = printed(spawnSync("python3", [script, file, "--shift", "0.5"], { encoding: "utf8" }).stdout);
    expect(moved.clip_fraction).toBeGreaterThan(0);
    expect(moved.clip_fraction).toBeLessThan(1);
    expect(moved.loss).not.toBeCloseTo(-tokenMean, 6);
  });
});
