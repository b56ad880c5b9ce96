import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCliAsync, startCli, temporaryDirectory } from "./run-cli.test-helper.js";

const work = temporaryDirectory("workers");
/** The shipped sort-swaps base: about 0.1M weights, so a step takes a fraction of a second. */
const base = fileURLToPath(new URL("../../../checkpoints/sort-swaps-base", import.meta.url));
/**
 * Micro-batches of 2 rows, so every update has several and the worker computes a share of them;
 * 8 prompts, so sampling calls are large enough that a policy with workers would split them.
 */
const RUN = [
  "train",
  "--algo",
  "ib-tpo",
  "--task",
  "sort-swaps",
  "--init",
  base,
  "--steps",
  "4",
  "--set",
  "promptsPerStep=8",
  "--set",
  "budget=64",
  "--set",
  "optimizer.microBatchSize=2",
  "--set",
  "optimizer.epochs=2",
  "--set",
  "checkpointEvery=1",
  "--set",
  "evaluation.problems=4",
  "--set",
  "evaluation.samples=2",
  "--quiet",
] as const;

const timings = new Set(["samplingSeconds", "scoringSeconds", "updateSeconds", "tokensPerSecond"]);
/** metrics.jsonl without the wall-clock fields, as the exact text of each value. */
const metricsOf = (run: string) =>
  readFileSync(join(run, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => Object.entries(JSON.parse(line) as Record<string, unknown>).filter(([key]) => !timings.has(key)));
const finalWeights = (run: string) => readFileSync(join(run, "checkpoints", "step-000004", "model.safetensors"));

describe("ibtpo train --workers", () => {
  const single = join(work, "workers-0");

  it("gives the same metrics, weights and evaluation with one worker thread as without", async () => {
    const threaded = join(work, "workers-1");
    const [alone, withWorker] = await Promise.all([
      runCliAsync([...RUN, "--workers", "0", "--out", single]),
      runCliAsync([...RUN, "--workers", "1", "--out", threaded]),
    ]);
    expect(alone.status, alone.stderr).toBe(0);
    expect(withWorker.status, withWorker.stderr).toBe(0);
    expect(alone.stderr).not.toContain("worker thread");
    expect(withWorker.stderr).toContain("sampling and training with 1 worker thread");
    const metrics = metricsOf(single);
    expect(metrics).toHaveLength(4);
    // Training happened (a gradient at every step), so the comparison covers the worker's share.
    for (const step of metrics) expect(Object.fromEntries(step).gradNorm).toBeGreaterThan(0);
    expect(metricsOf(threaded)).toEqual(metrics);
    expect(finalWeights(threaded).equals(finalWeights(single))).toBe(true);
    expect(readFileSync(join(threaded, "eval.json"), "utf8")).toBe(readFileSync(join(single, "eval.json"), "utf8"));
  });

  it("stops on Ctrl-C with a checkpoint, and a resumed run with workers ends as the uninterrupted one", async () => {
    const interrupted = join(work, "interrupted");
    const child = startCli([...RUN, "--workers", "1", "--out", interrupted]);
    // After the first step's metrics line the signal handlers are in place and steps remain.
    const metrics = join(interrupted, "metrics.jsonl");
    const stepsDone = () =>
      existsSync(metrics) ? readFileSync(metrics, "utf8").split("\n").filter(Boolean).length : 0;
    for (let waited = 0; waited < 120_000 && stepsDone() < 1; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill("SIGINT");
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(130);
    const saved = JSON.parse(readFileSync(join(interrupted, "checkpoints", "latest.json"), "utf8")).step as number;
    expect(saved).toBeLessThan(4);
    expect(metricsOf(interrupted)).toHaveLength(saved);

    const resumed = await runCliAsync(["train", "--out", interrupted, "--resume", "--workers", "1", "--quiet"]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming ${interrupted} after step ${saved}`);
    expect(metricsOf(interrupted)).toEqual(metricsOf(single));
    expect(finalWeights(interrupted).equals(finalWeights(single))).toBe(true);
  });
});
