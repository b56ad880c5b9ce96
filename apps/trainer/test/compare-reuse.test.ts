import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runFolderPath } from "@ibtpo/bench-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliAsync, TINY_PRETRAIN, TINY_TRAIN, temporaryDirectory } from "./run-cli.test-helper.js";

const work = temporaryDirectory("compare-reuse");
const initDirectory = join(work, "checkpoints");
const out = join(work, "compare");
const runDirectory = runFolderPath(out, { task: "countdown", algorithm: "grpo", seed: 1 });
const log = join(runDirectory, "train.log");

/** `ibtpo compare` of one tiny GRPO run into `out`, with extra `--set` flags. */
const compare = (...sets: string[]) =>
  runCliAsync([
    "compare",
    "--algos",
    "grpo",
    "--seeds",
    "1",
    "--tasks",
    "countdown",
    "--init-dir",
    initDirectory,
    "--jobs",
    "1",
    "--out",
    out,
    "--set",
    "steps=1",
    "--set",
    "optimizer.learningRate=1e-4",
    ...TINY_TRAIN,
    ...sets.flatMap((set) => ["--set", set]),
  ]);

beforeAll(async () => {
  const pretrain = await runCliAsync([
    "pretrain",
    "--task",
    "countdown",
    ...TINY_PRETRAIN,
    "--out",
    join(initDirectory, "countdown-base"),
  ]);
  expect(pretrain.status).toBe(0);
  const first = await compare();
  expect(first.status, first.stderr).toBe(0);
  expect(existsSync(join(runDirectory, "eval.json"))).toBe(true);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("ibtpo compare reusing a run folder", () => {
  it("reuses a finished run made with the same settings, without training again", async () => {
    const trained = readFileSync(log, "utf8");
    const again = await compare();
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("1 runs; report:");
    expect(readFileSync(log, "utf8")).toBe(trained);
  });

  it("reuses a run recorded before a task option existed: it ran at that option's default", async () => {
    const configFile = join(runDirectory, "config.json");
    const recorded = readFileSync(configFile, "utf8");
    const config = JSON.parse(recorded);
    expect(config.taskOptions.minSteps).toBe(1);
    delete config.taskOptions.minSteps;
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const trained = readFileSync(log, "utf8");
    try {
      const again = await compare();
      expect(again.status, again.stderr).toBe(0);
      expect(readFileSync(log, "utf8")).toBe(trained);
      const other = await compare("taskOptions.minSteps=2");
      expect(other.status).toBe(1);
      expect(other.stderr).toContain("taskOptions.minSteps 1 there, 2 now");
    } finally {
      writeFileSync(configFile, recorded);
    }
  });

  it("refuses a run made with another --set value, naming the folder, the key and both values", async () => {
    const trained = readFileSync(log, "utf8");
    const changed = await compare("optimizer.learningRate=5e-5");
    expect(changed.status).toBe(1);
    expect(changed.stderr).toBe(
      `ibtpo: run folder ${runDirectory} was made with other settings: optimizer.learningRate 0.0001 there, 0.00005 now; remove the folder or choose another --out\n`,
    );
    expect(readFileSync(log, "utf8")).toBe(trained);
  });

  it("refuses a run made with another algorithm option", async () => {
    const changed = await compare("tokenWeighting=per-trajectory");
    expect(changed.status).toBe(1);
    expect(changed.stderr).toContain(`run folder ${runDirectory} was made with other settings: `);
    expect(changed.stderr).toContain('tokenWeighting unset there, "per-trajectory" now');
    expect(changed.stderr).not.toMatch(/^\s+at /m);
  });

  it("refuses --set of a key compare chooses for each run", async () => {
    const result = await compare("seed=7");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("--set seed: compare sets it for each run; choose it with --seeds");
  });

  it("checks an interrupted run before resuming it, and resumes it when the settings agree", async () => {
    rmSync(join(runDirectory, "eval.json"));
    const interrupted = readFileSync(log, "utf8");
    const changed = await compare("optimizer.learningRate=5e-5");
    expect(changed.status).toBe(1);
    expect(changed.stderr).toContain("optimizer.learningRate 0.0001 there, 0.00005 now");
    expect(readFileSync(log, "utf8")).toBe(interrupted);
    const resumed = await compare();
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(readFileSync(log, "utf8")).toContain(`resuming ${runDirectory} after step 1`);
    expect(existsSync(join(runDirectory, "eval.json"))).toBe(true);
  });
});
