// Which landings line-walk policies choose. At a decision point both landings of a hop stay on the
// line and exactly one of them can still end at the goal; per hop, the table gives the share of
// sampled walks that take that one (0.5: no look-ahead learned; 1: the solver's choice). Only
// decision points a walk reaches legally with the goal still reachable count. The walks are the
// ones `ibtpo eval --responses` writes, so a run's success rate here is the mean@k of its
// eval.json.
//
// Usage (from the repository root, after `npx -y pnpm@10.34.9 build`):
//   node experiments/line-walk-choices.mjs [--split test] [--problems 200] [--samples 8] [--seed 1]
//     [--landing-echoes 0] PATH...
// PATH is a checkpoint folder (evaluated with --seed at temperature 1), a run folder (its latest
// checkpoint, evaluated like its eval.json: the run's seed and evaluation temperature) or a
// responses file an earlier `ibtpo eval --responses` wrote. Runs of one algorithm get a row of
// their mean. A checkpoint or run reads line-walk's `landingEchoes` from its task options; a
// responses file does not record them, so --landing-echoes gives them.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { lineWalkCanFinish, lineWalkLandings, lineWalkStepText } from "../packages/bench-harness/dist/index.js";
import { integerOption, parseScriptArguments, scriptFailure } from "../scripts/command-line.mjs";

const CLI = "apps/trainer/dist/cli.js";
const fail = scriptFailure(import.meta.url);
const { values: flags, positionals: paths } = parseScriptArguments(import.meta.url, {
  allowPositionals: true,
  options: {
    split: { type: "string", default: "test" },
    problems: { type: "string", default: "200" },
    samples: { type: "string", default: "8" },
    seed: { type: "string", default: "1" },
    "landing-echoes": { type: "string", default: "0" },
  },
});
const problemCount = integerOption(import.meta.url, "--problems", flags.problems);
const samples = integerOption(import.meta.url, "--samples", flags.samples);
const defaultSeed = integerOption(import.meta.url, "--seed", flags.seed, 0);
const givenEchoes = integerOption(import.meta.url, "--landing-echoes", flags["landing-echoes"], 0);
if (paths.length === 0) fail("give at least one checkpoint, run folder or responses file");
const scratch = mkdtempSync(join(tmpdir(), "line-walk-choices-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));

/**
 * A path's evaluated responses (one parsed line per problem), its row label and the landing echoes
 * of the task its policy writes.
 */
function responsesOf(path, index) {
  if (!existsSync(path)) fail(`${path} does not exist`);
  if (path.endsWith(".jsonl")) return { label: basename(path), lines: parseLines(path), echoes: givenEchoes };
  // A checkpoint folder may hold its pretrain config.json too: its manifest.json decides.
  const isCheckpoint = existsSync(join(path, "manifest.json"));
  const isRun = !isCheckpoint && existsSync(join(path, "config.json"));
  if (!isCheckpoint && !isRun)
    fail(`${path}: neither a checkpoint (no manifest.json), a run folder (no config.json) nor a .jsonl file`);
  const config = isRun ? JSON.parse(readFileSync(join(path, "config.json"), "utf8")) : null;
  const taskOptions = isRun
    ? config.taskOptions
    : JSON.parse(readFileSync(join(path, "manifest.json"), "utf8")).metadata?.taskOptions;
  const echoes = taskOptions?.landingEchoes ?? 0;
  const file = join(scratch, `responses-${index}.jsonl`);
  const command = [
    ...["eval", path, "--split", flags.split],
    ...["--problems", String(problemCount), "--samples", String(samples)],
    ...["--seed", String(config?.seed ?? defaultSeed), "--temperature", String(config?.evaluation?.temperature ?? 1)],
    ...["--responses", file],
  ];
  const evaluation = spawnSync(process.execPath, [CLI, ...command], { stdio: ["ignore", "ignore", "inherit"] });
  if (evaluation.status !== 0) fail(`node ${CLI} ${command.join(" ")} failed (exit ${evaluation.status})`);
  const lines = parseLines(file);
  if (config === null) return { label: basename(path), lines, echoes };
  return { label: `${config.algorithm}/seed-${config.seed}`, algorithm: config.algorithm, lines, echoes };
}

function parseLines(file) {
  const lines = [];
  for (const [index, line] of readFileSync(file, "utf8").split("\n").entries()) {
    if (line.trim() === "") continue;
    try {
      lines.push(JSON.parse(line));
    } catch (error) {
      fail(`${file}:${index + 1}: not JSON (${error.message})`);
    }
  }
  return lines;
}

/** Per hop: decision points reached and how many of them took the landing that can still finish. */
function choicesOf(data, response, echoes, perHop) {
  const canFinish = lineWalkCanFinish(data);
  const lines = response.split("\n");
  let at = data.start;
  for (const [index, hop] of data.hops.entries()) {
    if (!canFinish[index].has(at)) return;
    const landings = lineWalkLandings(at, hop);
    // The landing this line takes when it is one of the hop's legal steps (undefined otherwise).
    const taken = landings.find((to) => lines[index] === lineWalkStepText(at, to, echoes));
    const finishing = landings.filter((position) => canFinish[index + 1].has(position));
    if (landings.length === 2 && finishing.length === 1) {
      perHop[index].decisions += 1;
      // A line that is not a legal hop counts as missing the good landing.
      if (taken === finishing[0]) perHop[index].good += 1;
    }
    if (taken === undefined) return;
    at = taken;
  }
}

const rows = [];
for (const [index, path] of paths.entries()) {
  const { label, algorithm, lines, echoes } = responsesOf(path, index);
  const hops = lines[0]?.problem.data.hops?.length;
  // The task is the checkpoint's own (with its options); only line-walk problems have hops.
  if (hops === undefined) fail(`${path}: no line-walk problems in the responses`);
  const perHop = Array.from({ length: hops }, () => ({ decisions: 0, good: 0 }));
  const rewards = [];
  for (const line of lines) {
    for (const sample of line.samples) {
      choicesOf(line.problem.data, sample.text, echoes, perHop);
      rewards.push(sample.reward);
    }
  }
  rows.push({ label, algorithm, success: rewards.reduce((sum, reward) => sum + reward, 0) / rewards.length, perHop });
  console.error(`line-walk-choices: ${label} done`);
}

const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
const rate = (hop) => (hop.decisions === 0 ? "-" : `${(hop.good / hop.decisions).toFixed(3)} (${hop.decisions})`);
const hops = rows[0].perHop.length;
console.log(
  `Line-walk choices, ${flags.split} split, ${problemCount} problems x ${samples} samples; per hop: share of decision points taking the landing that can still finish (decision points)\n`,
);
console.log(`| policy | success | ${Array.from({ length: hops }, (_, index) => `hop ${index + 1}`).join(" | ")} |`);
console.log(`| --- | --- | ${Array.from({ length: hops }, () => "---").join(" | ")} |`);
for (const row of rows)
  console.log(`| ${row.label} | ${row.success.toFixed(3)} | ${row.perHop.map(rate).join(" | ")} |`);
// The mean row pools decision points over the algorithm's runs (each run weighs by its decisions).
for (const algorithm of new Set(rows.map((row) => row.algorithm).filter(Boolean))) {
  const runs = rows.filter((row) => row.algorithm === algorithm);
  if (runs.length < 2) continue;
  const pooled = Array.from({ length: hops }, (_, index) => ({
    decisions: runs.reduce((sum, run) => sum + run.perHop[index].decisions, 0),
    good: runs.reduce((sum, run) => sum + run.perHop[index].good, 0),
  }));
  console.log(
    `| ${algorithm}, ${runs.length} runs pooled | ${mean(runs.map((run) => run.success)).toFixed(3)} | ${pooled.map(rate).join(" | ")} |`,
  );
}
