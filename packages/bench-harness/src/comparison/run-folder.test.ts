import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  isRunFolder,
  RUN_FILES,
  RunFolder,
  readRunConfig,
  readRunFolder,
  runFolderPath,
  stepTreeFiles,
  writeRunFolder,
} from "./run-folder.js";
import { syntheticRunResult } from "./synthetic-run.js";

const identity = { algorithm: "grpo", task: "countdown", seed: 3 };

async function freshFolder(): Promise<RunFolder> {
  return new RunFolder(join(await mkdtemp(join(tmpdir(), "run-folder-")), "run"));
}

/** A complete checkpoint (what a trainer writes: a folder with its manifest), marked latest. */
async function saveCheckpoint(folder: RunFolder, step: number): Promise<void> {
  await mkdir(folder.checkpointDirectory(step), { recursive: true });
  await writeFile(join(folder.checkpointDirectory(step), "manifest.json"), "{}");
  await folder.markLatest(step);
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
    expect(isRunFolder(folder.directory)).toBe(true);
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
    for (const step of [5, 10, 15]) await saveCheckpoint(folder, step);
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
  });

  it("resumes from the newest complete checkpoint when latest.json is missing, unreadable or names an incomplete one", async () => {
    const folder = await freshFolder();
    await folder.create(identity);
    for (const step of [2, 4]) await saveCheckpoint(folder, step);
    const said: string[] = [];
    const log = (line: string) => said.push(line);
    await rm(folder.path(RUN_FILES.latestCheckpoint));
    expect(await folder.latestCheckpoint(log)).toEqual({ step: 4, directory: folder.checkpointDirectory(4) });
    expect(said.pop()).toMatch(/latest\.json is missing; resuming from the newest complete checkpoint, .*step-000004$/);
    await writeFile(folder.path(RUN_FILES.latestCheckpoint), '{"step":4,');
    expect((await folder.latestCheckpoint(log))?.step).toBe(4);
    expect(said.pop()).toMatch(/latest\.json: invalid JSON/);
    await rm(join(folder.checkpointDirectory(4), "manifest.json"));
    await writeFile(folder.path(RUN_FILES.latestCheckpoint), '{"step":4,"checkpoint":"step-000004"}');
    expect((await folder.latestCheckpoint(log))?.step).toBe(2);
    expect(said.pop()).toMatch(/step-000004 \(named by latest\.json\) is incomplete/);
  });

  it("refuses a latest.json naming a folder outside the run or disagreeing on the step", async () => {
    const folder = await freshFolder();
    await folder.create(identity);
    await saveCheckpoint(folder, 3);
    await writeFile(folder.path(RUN_FILES.latestCheckpoint), '{"step":3,"checkpoint":"../../elsewhere"}');
    await expect(folder.latestCheckpoint()).rejects.toThrow(
      /latest\.json: "checkpoint" is "\.\.\/\.\.\/elsewhere", not a step checkpoint of this run/,
    );
    await writeFile(folder.path(RUN_FILES.latestCheckpoint), '{"step":7,"checkpoint":"step-000003"}');
    await expect(folder.latestCheckpoint()).rejects.toThrow(
      /latest\.json: "step" is 7 but the checkpoint is step-000003/,
    );
    await rm(folder.path(RUN_FILES.checkpoints), { recursive: true });
    await expect(folder.latestCheckpoint()).resolves.toBeNull();
  });

  it("saves a step's trees beside its viewer page, lists the steps and drops those after a resume point", async () => {
    const folder = await freshFolder();
    const run = syntheticRunResult({ ...identity, tokenBudget: 4_000 });
    await writeRunFolder(folder.directory, { ...run, config: identity });
    expect((await readRunFolder(folder.directory)).treeSteps).toEqual([]);
    expect(stepTreeFiles(12)).toEqual({ rollouts: "trees/step-000012.jsonl", viewer: "trees/step-000012.html" });
    for (const step of [10, 1, 20]) await folder.writeStepTrees(step, `{"step":${step}}\n`, `<p>${step}</p>`);
    const stored = await readRunFolder(folder.directory);
    expect(stored.treeSteps).toEqual([1, 10, 20]);
    expect(stored.directory).toBe(folder.directory);
    expect(await readFile(folder.path(stepTreeFiles(10).rollouts), "utf8")).toBe('{"step":10}\n');
    await folder.removeTreesAfter(10);
    expect((await readdir(folder.path(RUN_FILES.trees))).sort()).toEqual([
      "step-000001.html",
      "step-000001.jsonl",
      "step-000010.html",
      "step-000010.jsonl",
    ]);
  });

  it("removes the temporary files of writes killed before their rename, keeping those of running processes", async () => {
    const folder = await freshFolder();
    await folder.create(identity);
    await folder.writeStepTrees(1, "{}\n", "<p>1</p>");
    const ended = spawnSync(process.execPath, ["-e", ""]).pid as number;
    const stale = [
      `${stepTreeFiles(2).rollouts}.${ended}.7.tmp`,
      `${RUN_FILES.latestCheckpoint}.${ended}.8.tmp`,
      `${RUN_FILES.metrics}.${ended}.9.tmp`,
    ];
    const live = `${stepTreeFiles(2).viewer}.${process.pid}.3.tmp`;
    for (const name of [...stale, live]) await writeFile(folder.path(name), "half");
    expect((await folder.removeStaleTemporaryFiles()).sort()).toEqual([...stale].sort());
    expect((await readdir(folder.path(RUN_FILES.trees))).sort()).toEqual([
      "step-000001.html",
      "step-000001.jsonl",
      `step-000002.html.${process.pid}.3.tmp`,
    ]);
    expect(await readdir(folder.path(RUN_FILES.checkpoints))).toEqual([]);
    expect(await folder.removeStaleTemporaryFiles()).toEqual([]);
  });
});
