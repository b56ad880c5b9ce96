import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderReport } from "../report/write-report.js";
import { meanConfidenceInterval } from "./confidence-interval.js";
import { runComparison } from "./run-comparison.js";
import { readRunFolder, runFolderPath } from "./run-folder.js";
import { syntheticRunResult } from "./synthetic-run.js";

const grid = {
  algorithms: ["grpo", "ib-tpo"],
  seeds: [1, 2, 3],
  tasks: ["countdown", "graph-path"],
  tokenBudget: 20_000,
};

describe("runComparison", () => {
  it("runs every cell once, aggregates over seeds and writes run folders and reports", {
    timeout: 60_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "bench-compare-"));
    const calls: string[] = [];
    const results = await runComparison({
      ...grid,
      outputDir: dir,
      run: async (spec) => {
        calls.push(`${spec.task}/${spec.algorithm}/${spec.seed}/${spec.tokenBudget}`);
        return syntheticRunResult(spec);
      },
    });
    expect(calls).toHaveLength(12);
    expect(new Set(calls).size).toBe(12);
    expect(calls.every((call) => call.endsWith("/20000"))).toBe(true);

    const row = results.summary.find(
      (candidate) => candidate.task === "graph-path" && candidate.algorithm === "ib-tpo",
    );
    const finals = grid.seeds.map(
      (seed) =>
        syntheticRunResult({ algorithm: "ib-tpo", task: "graph-path", seed, tokenBudget: 20_000 }).evaluation
          .passAt1Greedy as number,
    );
    expect(row?.seeds).toEqual([1, 2, 3]);
    expect(row?.metrics.passAt1Greedy).toEqual(meanConfidenceInterval(finals));
    expect(row?.metrics["pass@16"]?.n).toBe(3);

    const stored = await readRunFolder(runFolderPath(dir, { task: "countdown", algorithm: "grpo", seed: 2 }));
    expect(stored.config).toMatchObject({
      algorithm: "grpo",
      task: "countdown",
      seed: 2,
      tokenBudget: 20_000,
      synthetic: true,
    });
    expect(stored.history).toHaveLength(20);
    expect((await readdir(dir)).sort()).toEqual(["report.html", "results.json", "results.md", "runs"]);
    const markdown = await readFile(join(dir, "results.md"), "utf8");
    expect(markdown).toContain("## graph-path");
    expect(markdown).toMatch(/\| ib-tpo \| 3 \| \d\.\d{3} ± \d\.\d{3} \|/);
    const html = await readFile(join(dir, "report.html"), "utf8");
    // Per task: accuracy, validation, the balance and IB-part facets, trajectories, pass@1, pass@k, paired difference.
    expect(html.match(/<svg/g)?.length).toBe(16);
    expect(markdown).toMatch(
      /Paired difference in mean@k against grpo[\s\S]*\| ib-tpo \| 3 \| -?\d\.\d{3} ± \d\.\d{3} \|/,
    );
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it("rejects a run that spends more than the budget", async () => {
    await expect(
      runComparison({
        ...grid,
        run: async (spec) => syntheticRunResult({ ...spec, tokenBudget: spec.tokenBudget * 2 }),
      }),
    ).rejects.toThrow(/run grpo\/countdown\/seed 1 generated 40000 tokens, over the budget of 20000/);
  });
});

describe("renderReport", () => {
  it("renders a single run folder and names the bad line of a broken metrics file", { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "bench-run-"));
    await runComparison({
      ...grid,
      algorithms: ["grpo"],
      seeds: [1],
      tasks: ["countdown"],
      outputDir: dir,
      run: async (spec) => syntheticRunResult(spec, 5),
    });
    const runDir = runFolderPath(dir, { task: "countdown", algorithm: "grpo", seed: 1 });
    const [, , htmlPath] = await renderReport(runDir);
    expect(await readFile(htmlPath as string, "utf8")).toContain("Run grpo on countdown");
    const metrics = join(runDir, "metrics.jsonl");
    const lines = (await readFile(metrics, "utf8")).split("\n");
    lines[2] = '{"step": 2, "generatedTokens": 10, "accuracy": "high"}';
    await writeFile(metrics, lines.join("\n"));
    await expect(renderReport(dir)).rejects.toThrow(`${metrics}:3: "accuracy" must be a finite number, got "high"`);
  });
});

describe("runComparison concurrency", () => {
  it("keeps `concurrency` runs in flight and returns them in grid order", async () => {
    let inFlight = 0;
    let most = 0;
    const results = await runComparison({
      algorithms: ["a", "b"],
      seeds: [1, 2, 3],
      tasks: ["t"],
      tokenBudget: 1_000_000,
      concurrency: 2,
      run: async (spec) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        // Later seeds finish first, so completion order differs from grid order.
        await new Promise((resolve) => setTimeout(resolve, 40 - spec.seed * 10));
        inFlight -= 1;
        return syntheticRunResult(spec);
      },
    });
    expect(most).toBe(2);
    expect(results.runs.map((run) => `${run.config.algorithm}/${run.config.seed}`)).toEqual([
      "a/1",
      "a/2",
      "a/3",
      "b/1",
      "b/2",
      "b/3",
    ]);
  });

  it("rejects a concurrency that is not a positive integer", async () => {
    await expect(
      runComparison({
        algorithms: ["a"],
        seeds: [1],
        tasks: ["t"],
        tokenBudget: 1,
        concurrency: 0,
        run: async (spec) => syntheticRunResult(spec),
      }),
    ).rejects.toThrow(/concurrency must be a positive integer/);
  });
});
