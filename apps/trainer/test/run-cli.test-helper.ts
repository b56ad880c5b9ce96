import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cli = new URL("../src/cli.ts", import.meta.url).pathname;
const environment = { ...process.env, IBTPO_BACKEND: "wasm", FORCE_COLOR: "0" };

/** Run `ibtpo ...` to completion as a user would, from the given folder. */
export function runCli(args: readonly string[], cwd?: string) {
  return spawnSync(process.execPath, ["--import", "tsx", cli, ...args], {
    encoding: "utf8",
    env: environment,
    ...(cwd === undefined ? {} : { cwd }),
  });
}

/** Run `ibtpo ...` to completion without blocking the test process (long suites keep their worker responsive). */
export function runCliAsync(
  args: readonly string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", cli, ...args], { env: environment });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}

/** Start `ibtpo ...` without waiting for it. */
export function startCli(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", cli, ...args], { env: environment, stdio: "ignore" });
}

export function temporaryDirectory(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `ibtpo-${prefix}-`));
}

/** Settings that keep a test run to seconds: a tiny model, few prompts, a small evaluation. */
export const TINY_PRETRAIN = [
  "--steps",
  "4",
  "--set",
  "model.modelDimension=16",
  "--set",
  "model.layers=1",
  "--set",
  "model.heads=2",
  "--set",
  "evalEvery=0",
  "--set",
  "evalProblems=4",
] as const;

export const TINY_TRAIN = [
  "--set",
  "promptsPerStep=2",
  "--set",
  "budget=48",
  "--set",
  "evaluation.problems=4",
  "--set",
  "evaluation.samples=2",
] as const;
