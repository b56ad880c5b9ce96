import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stepTreeFiles } from "@ibtpo/bench-harness";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, startCli, TINY_PRETRAIN, TINY_TRAIN, temporaryDirectory } from "./run-cli.test-helper.js";

const work = temporaryDirectory("cli");
const base = join(work, "base");

const metricsOf = (run: string) =>
  readFileSync(join(run, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, number>);

beforeAll(() => {
  const result = runCli(["pretrain", "--task", "countdown", ...TINY_PRETRAIN, "--out", base]);
  expect(result.stderr).toContain("policy-tfjs backend: wasm");
  expect(result.status).toBe(0);
  expect(existsSync(join(base, "manifest.json"))).toBe(true);
});

describe("ibtpo --help", () => {
  it("lists every command, and each command's help has examples", () => {
    const top = runCli(["--help"]);
    expect(top.status).toBe(0);
    for (const command of ["pretrain", "train", "eval", "compare", "analyze", "report"])
      expect(top.stdout).toContain(command);
    for (const command of [
      "pretrain",
      "train",
      "eval",
      "compare",
      "analyze",
      "advantages",
      "config-schema",
      "report",
    ]) {
      const help = runCli([command, "--help"]);
      expect(help.status).toBe(0);
      expect(help.stdout).toContain("Examples:");
    }
  });
});

describe("config errors", () => {
  it("refuses a compare share of cores that is not a positive integer, before any run", () => {
    const out = join(work, "never-compare");
    const result = runCli(["compare", "--cores", "0", "--out", out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("--cores must be a positive integer, got 0");
    expect(existsSync(out)).toBe(false);
  });

  it("names an unknown key with its file line and the allowed keys", () => {
    const file = join(work, "bad.yaml");
    writeFileSync(file, "algorithm: grpo\noptimizer:\n  learningrate: 0.1\n");
    const result = runCli(["train", "--config", file, "--init", base, "--out", join(work, "never")]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`unknown config key "optimizer.learningrate" (${file}:3)`);
    expect(result.stderr).toContain('allowed keys of "optimizer": learningRate');
    expect(existsSync(join(work, "never"))).toBe(false);
  });

  it("names a wrong type, an out-of-range value and a bad choice", () => {
    const file = join(work, "types.yaml");
    writeFileSync(file, "steps: many\nbudget: 0\nalgorithm: ppo\n");
    const result = runCli(["train", "--config", file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/config key "steps" \(.*types.yaml:1\): expected number, received string/);
    expect(result.stderr).toMatch(/config key "budget" \(.*types.yaml:2\): Too small: expected number to be >=1/);
    expect(result.stderr).toMatch(
      /config key "algorithm" \(.*types.yaml:3\): must be one of "grpo", "dr-grpo", "dapo"/,
    );
  });

  it("names a bad command-line value and invalid YAML", () => {
    expect(runCli(["train", "--steps", "-3"]).stderr).toContain('config key "steps" (command line)');
    const file = join(work, "broken.yaml");
    writeFileSync(file, "steps: [1,\n");
    expect(runCli(["train", "--config", file]).stderr).toMatch(/broken.yaml:\d+: invalid YAML/);
  });
});

/** What a run sampled at each step: equal for two runs of the same settings and seed. */
const sampledFields = (run: string) =>
  metricsOf(run).map(({ step, generatedTokens, accuracy, trajectories }) => ({
    step,
    generatedTokens,
    accuracy,
    trajectories,
  }));

describe("ibtpo eval --responses", () => {
  it("writes every scored response, one line per problem, and repeats them for the same seed", () => {
    const linesOf = (text: string) =>
      text
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
    const evaluate = (name: string, ...flags: string[]) => {
      const responses = join(work, `${name}.jsonl`);
      const summary = join(work, `${name}.json`);
      const args = ["eval", base, "--problems", "3", "--samples", "2", "--seed", "1", ...flags];
      const result = runCli([...args, "--responses", responses, "--out", summary]);
      expect(result.status).toBe(0);
      return {
        text: readFileSync(responses, "utf8"),
        summary: JSON.parse(readFileSync(summary, "utf8")),
      };
    };
    const first = evaluate("responses");
    const lines = linesOf(first.text);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line.problem).toMatchObject({
        id: expect.any(String),
        prompt: expect.any(String),
        answer: expect.any(String),
      });
      expect(line.problem.data).toBeDefined();
      expect(line.samples).toHaveLength(2);
      for (const outcome of [line.greedy, ...line.samples])
        expect(outcome).toMatchObject({
          text: expect.any(String),
          reward: expect.any(Number),
          tokens: expect.any(Number),
        });
    }
    // The summary is computed from exactly these responses.
    const rewards = lines.flatMap((line) => line.samples.map((sample: { reward: number }) => sample.reward));
    expect(rewards.reduce((sum: number, reward: number) => sum + reward, 0) / rewards.length).toBeCloseTo(
      first.summary.meanAtK,
      12,
    );
    expect(evaluate("responses-again").text).toBe(first.text);
    // A lower temperature changes the samples' settings, never the greedy responses.
    const cooler = evaluate("responses-cooler", "--temperature", "0.25");
    const greedy = (text: string) => linesOf(text).map((line) => line.greedy.text);
    expect(greedy(cooler.text)).toEqual(greedy(first.text));
    // Top-k 1 and a tiny top-p keep only the most likely token: every sample is the greedy response.
    for (const truncation of [
      ["--top-k", "1"],
      ["--top-p", "1e-6"],
    ]) {
      const truncated = linesOf(evaluate(`responses${truncation[0]}`, ...truncation).text);
      for (const line of truncated) for (const sample of line.samples) expect(sample.text).toBe(line.greedy.text);
    }
  });
});

describe("a tiny run end to end", () => {
  it("trains, logs metrics every step, checkpoints, evaluates and reports", () => {
    const run = join(work, "run");
    const result = runCli(["train", "--algo", "ib-tpo", "--init", base, "--steps", "2", ...TINY_TRAIN, "--out", run]);
    expect(result.stderr).not.toContain("Error:");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/test: greedy pass@1 \d\.\d{3}/);
    const metrics = metricsOf(run);
    expect(metrics.map((m) => m.step)).toEqual([1, 2]);
    for (const step of metrics) {
      expect(step.generatedTokens).toBeGreaterThan(0);
      expect(step.generatedTokens).toBeLessThanOrEqual(2 * 48);
      // ib-score's paper form: eta1 >= -(1 + 1/beta) and eta2 <= 1, so J >= -(1 + beta)(1 + 1/beta) = -7.2 at beta 5.
      expect(step.ibScore === null || (step.ibScore ?? Number.NaN) >= -7.2).toBe(true);
      expect(step.trajectories).toBeGreaterThan(0);
    }
    const config = JSON.parse(readFileSync(join(run, "config.json"), "utf8"));
    expect(config).toMatchObject({ algorithm: "ib-tpo", task: "countdown", steps: 2, budget: 48, promptsPerStep: 2 });
    expect(JSON.parse(readFileSync(join(run, "eval.json"), "utf8")).problems).toBe(4);
    expect(runCli(["train", "--algo", "ib-tpo", "--init", base, "--out", run]).stderr).toContain("already holds a run");
    const report = runCli(["report", run]);
    expect(report.status).toBe(0);
    const html = readFileSync(join(run, "report.html"), "utf8");
    expect(html).toContain("<svg");
    // treesEvery defaults to 10: of a 2-step run only the last step's trees are saved, and linked.
    expect(existsSync(join(run, stepTreeFiles(1).rollouts))).toBe(false);
    const links = [...html.matchAll(/href="([^"]*)"/g)].map((match) => join(run, match[1] as string));
    expect(links).toEqual([join(run, stepTreeFiles(2).viewer)]);
    expect(readFileSync(links[0] as string, "utf8")).toContain('id="tree-1"');
    const analyzed = runCli(["analyze", join(run, stepTreeFiles(2).rollouts), "--json"]);
    expect(analyzed.status, analyzed.stderr).toBe(0);
    const last = metricsOf(run)[1] as Record<string, number>;
    expect(JSON.parse(analyzed.stdout).summary).toMatchObject({
      prompts: 2,
      trajectories: last.trajectories,
      eff_rate: last.effRate,
    });
    // The run's config.json is a config file: the same run again, in another folder.
    const again = join(work, "again");
    const rerun = runCli(["train", "-c", join(run, "config.json"), "--out", again]);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(sampledFields(again)).toEqual(sampledFields(run));
    const { out: _first, ...settings } = JSON.parse(readFileSync(join(run, "config.json"), "utf8"));
    const { out: _second, ...againSettings } = JSON.parse(readFileSync(join(again, "config.json"), "utf8"));
    expect(againSettings).toEqual(settings);
  });
});

describe("resume after SIGKILL", () => {
  it("continues from the last checkpoint with the same data and seeds as an uninterrupted run", async () => {
    const steps = [
      ...["--steps", "8", "--set", "checkpointEvery=1", "--set", "treesEvery=1"],
      ...["--algo", "grpo", "--init", base, ...TINY_TRAIN],
    ];
    const straight = join(work, "straight");
    expect(runCli(["train", ...steps, "--out", straight]).status).toBe(0);

    const killed = join(work, "killed");
    const child = startCli(["train", ...steps, "--out", killed]);
    const latest = join(killed, "checkpoints", "latest.json");
    for (let waited = 0; waited < 120_000; waited += 100) {
      if (existsSync(latest) && JSON.parse(readFileSync(latest, "utf8")).step >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("exit", resolve));
    const savedStep = JSON.parse(readFileSync(latest, "utf8")).step as number;
    expect(savedStep).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(killed, "eval.json"))).toBe(false);

    const resumed = runCli(["train", "--out", killed, "--resume"]);
    expect(resumed.stderr).toContain(`resuming ${killed} after step ${savedStep}`);
    expect(resumed.status).toBe(0);
    expect(sampledFields(killed)).toEqual(sampledFields(straight));
    // The saved trees too: the resumed run sampled again what the kill cut off, and nothing else.
    const trees = (run: string) =>
      readdirSync(join(run, "trees"))
        .sort()
        .map((name) => [name, readFileSync(join(run, "trees", name), "utf8")]);
    expect(trees(killed).map(([name]) => name)).toHaveLength(16);
    expect(trees(killed)).toEqual(trees(straight));
  });
});

describe("ibtpo analyze", () => {
  it("scores the sample rollouts shipped in the repository", () => {
    const sample = new URL("../../../examples/rollouts.sample.jsonl", import.meta.url).pathname;
    const result = runCli(["analyze", sample, "--json"]);
    expect(result.status).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.summary.prompts).toBe(12);
    expect(output.summary.trajectories).toBe(96);
    expect(output.prompts).toHaveLength(12);
  });

  it("forwards the estimator and format flags", () => {
    const text = new URL("../../../examples/rollouts.verl-text.jsonl", import.meta.url).pathname;
    const flags = ["--prompt-key", "input", "--response-key", "output", "--reward-key", "score"];
    const result = runCli([
      "analyze",
      text,
      "--json",
      "--estimator",
      "shannon",
      "--step-delimiter",
      "\\n\\n",
      ...flags,
    ]);
    expect(result.stderr).toBe("");
    const output = JSON.parse(result.stdout);
    expect(output.summary).toMatchObject({ format: "text", estimator: "shannon", missing_logprobs: true, prompts: 3 });
  });

  it("reports a bad line as file:line", () => {
    const file = join(work, "bad.jsonl");
    writeFileSync(file, '{"prompt_id": "a", "tokens": [1], "logprobs": [0.5], "step_ends": [1], "reward": 1}\n');
    const result = runCli(["analyze", file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${file}:1, step 0: logprob 0 is 0.5`);
  });
});
