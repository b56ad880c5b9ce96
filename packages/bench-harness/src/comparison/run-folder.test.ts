import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isRunFolder, RUN_FILES, RunFolder, readRunConfig, readRunFolder, runFolderPath } from "./run-folder.js";
import { syntheticRunResult } from "./synthetic-run.js";

const identity = { algorithm: "grpo", task: "countdown", seed: 3 };

async function freshFolder(): Promise<RunFolder> {
  return new RunFolder(join(await mkdtemp(join(tmpdir(), "run-folder-")), "run"));
}

describe("runFolderPath", () => {
  it("places a run at runs/<task>/<algorithm>/seed-<seed> below its root", () => {
    expect(runFolderPath("out", identity)).toBe(join("out", "runs", "countdown", "grpo", "seed-3"));
    expect(runFolderPath(".", identity)).toBe(join("runs", "countdown", "grpo", "seed-3"));
  });
});

describe("RunFolder", () => {
  it("writes what readRunFolder reads back", async () => {
    const folder = await freshFolder();
    const run = syntheticRunResult({ ...identity, tokenBudget: 4_000 });
    expect(folder.hasMetrics()).toBe(false);
    await folder.create({ ...identity, tokenBudget: 4_000, extra: "kept" });
    expect(folder.hasMetrics()).toBe(true);
    expect(await isRunFolder(folder.directory)).toBe(true);
    for (const metrics of run.history) await folder.appendMetrics(metrics);
    expect(folder.hasEvaluation()).toBe(false);
    await folder.writeEvaluation(run.evaluation);
    expect(folder.hasEvaluation()).toBe(true);
    const stored = await readRunFolder(folder.directory);
    expect(stored.config).toEqual({ ...identity, tokenBudget: 4_000, extra: "kept" });
    expect(stored.history).toEqual(run.history);
    expect(stored.evaluation).toEqual(run.evaluation);
  });

  it("truncates metrics to a step and drops a line cut short by a kill", async () => {
    const folder = await freshFolder();
    await folder.create(identity);
    for (const step of [1, 2, 3]) await folder.appendMetrics({ step, generatedTokens: 10, accuracy: step / 10 });
    expect((await folder.truncateMetrics(2)).map((metrics) => metrics.step)).toEqual([1, 2]);
    await writeFile(folder.path(RUN_FILES.metrics), '{"step":1,"generatedTokens":10,"accuracy":0.1}\n{"step":2,"gen');
    expect((await folder.truncateMetrics(5)).map((metrics) => metrics.step)).toEqual([1]);
    expect(await readFile(folder.path(RUN_FILES.metrics), "utf8")).toBe(
      '{"step":1,"generatedTokens":10,"accuracy":0.1}\n',
    );
  });

  it("keeps the newest checkpoints and points latest at the last one", async () => {
    const folder = await freshFolder();
    await folder.create(identity);
    expect(await folder.latestCheckpoint()).toBeNull();
    for (const step of [5, 10, 15]) {
      await mkdir(folder.checkpointDirectory(step), { recursive: true });
      await folder.markLatest(step);
    }
    expect(await folder.latestCheckpoint()).toEqual({ step: 15, directory: folder.checkpointDirectory(15) });
    expect((await readdir(folder.path(RUN_FILES.checkpoints))).sort()).toEqual([
      "latest.json",
      "step-000010",
      "step-000015",
    ]);
  });

  it("names the file and field of a config without its identity", async () => {
    const folder = await freshFolder();
    await folder.create(identity);
    await writeFile(folder.path(RUN_FILES.config), JSON.stringify({ algorithm: "grpo", task: "countdown" }));
    await expect(readRunConfig(folder.directory)).rejects.toThrow(/config\.json: "seed" must be a number/);
    await writeFile(folder.path(RUN_FILES.latestCheckpoint), "{}");
    await expect(folder.latestCheckpoint()).rejects.toThrow(/latest\.json: expected/);
  });
});
