import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { temporaryDirectory } from "../test/run-cli.test-helper.js";

const script = new URL("./alignment-differences.ts", import.meta.url).pathname;

function run(args: readonly string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", script, ...args], { encoding: "utf8" });
}

function resultsFile(directory: string, name: string, seed: number, variants: Record<string, number[]>): string {
  const path = join(directory, name);
  const list = Object.entries(variants).map(([variant, cosines]) => ({ name: variant, cosines }));
  writeFileSync(path, JSON.stringify({ task: "countdown", seed, variants: list }));
  return path;
}

describe("alignment-differences", () => {
  it("pools a variant's batches over seeds and pairs them with the baseline's (worked by hand)", () => {
    const directory = temporaryDirectory("alignment-differences");
    const first = resultsFile(directory, "a.json", 1, { base: [0.5, 0.3], option: [0.6, 0.5] });
    const second = resultsFile(directory, "b.json", 2, { base: [0.2, 0.4], option: [0.2, 0.5] });
    const result = run([first, second, "--baseline", "base"]);
    expect(result.status, result.stderr).toBe(0);
    const rows = result.stdout.split("\n").filter((line) => line.startsWith("| "));
    expect(rows[2]!.split("|").map((cell) => cell.trim())[1]).toBe("base");
    // option - base per batch: 0.1, 0.2, 0, 0.1; mean 0.1, sample std sqrt(0.02 / 3);
    // t(0.975, 3) = 3.182446, half width 3.182446 * sqrt(0.02 / 3) / 2 = 0.1299.
    const cells = rows[3]!.split("|").map((cell) => cell.trim());
    expect(cells[1]).toBe("option");
    expect(cells[2]).toBe("0.450");
    expect(cells[4]).toBe("+0.100 [-0.030, +0.230]");
    expect(cells[5]).toBe("4");
  });

  it("refuses two files of the same task and seed, whose batches are the same ones", () => {
    const directory = temporaryDirectory("alignment-differences");
    const first = resultsFile(directory, "a.json", 1, { base: [0.5] });
    const second = resultsFile(directory, "b.json", 1, { base: [0.5] });
    const result = run([first, second, "--baseline", "base"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("both measured task countdown, seed 1: the same batches would count twice");
  });

  it("names the variants when the baseline is not among them", () => {
    const directory = temporaryDirectory("alignment-differences");
    const result = run([resultsFile(directory, "a.json", 1, { base: [0.5] }), "--baseline", "other"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no variant named "other"; variants: "base"');
  });
});
