// Which landings line-walk policies choose. At a decision point both landings of a hop stay on the
// line and exactly one of them can still end at the goal; per hop, the table gives the share of
// sampled walks that take that one (0.5: no look-ahead learned; 1: the solver's choice). Only
// decision points a walk reaches legally with the goal still reachable count. Sampling is the one
// `ibtpo eval` does (same problems, BOS prefix, temperature 1, per-request seeds), so a run's
// success rate here is the mean@k of its eval.json.
//
// Usage (from the repository root, after `npx -y pnpm@10.34.9 build`):
//   node experiments/line-walk-choices.mjs [--split test] [--problems 200] [--samples 8] [--seed 1] PATH...
// PATH is a checkpoint folder or a run folder (its latest checkpoint, sampled with the run's seed;
// a checkpoint folder is sampled with --seed). Runs of one algorithm get a row of their mean.
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import {
  createBuiltinTask,
  evaluatePolicy,
  lineWalkCanFinish,
  lineWalkLandings,
  lineWalkStepText,
  RunFolder,
  sampleProblems,
} from "../packages/bench-harness/dist/index.js";
import { loadCheckpoint, selectBackend, TfjsPolicy } from "../packages/policy-tfjs/dist/index.js";

const { values: flags, positionals: paths } = parseArgs({
  allowPositionals: true,
  options: {
    split: { type: "string", default: "test" },
    problems: { type: "string", default: "200" },
    samples: { type: "string", default: "8" },
    seed: { type: "string", default: "1" },
  },
});
const fail = (message) => {
  console.error(`line-walk-choices: ${message}`);
  process.exit(2);
};
const count = (name) => {
  const value = Number(flags[name]);
  if (!Number.isInteger(value) || value < 1) fail(`--${name} must be a positive integer, got "${flags[name]}"`);
  return value;
};
const problemCount = count("problems");
const samples = count("samples");
const defaultSeed = Number(flags.seed);
if (!Number.isInteger(defaultSeed) || defaultSeed < 0) fail(`--seed must be a non-negative integer`);
if (paths.length === 0) fail("give at least one checkpoint or run folder");

/** A path's checkpoint, sampling seed and row label; run folders are labelled algorithm/seed-N. */
async function resolve(path) {
  if (existsSync(join(path, "manifest.json"))) return { directory: path, seed: defaultSeed, label: basename(path) };
  const configFile = join(path, "config.json");
  if (!existsSync(configFile))
    fail(`${path}: neither a checkpoint (no manifest.json) nor a run folder (no config.json)`);
  const config = JSON.parse(readFileSync(configFile, "utf8"));
  const latest = await new RunFolder(path).latestCheckpoint();
  if (latest === null) fail(`${path}: the run has no checkpoint yet`);
  return {
    directory: latest.directory,
    seed: config.seed,
    label: `${config.algorithm}/seed-${config.seed}`,
    algorithm: config.algorithm,
  };
}

/** Per hop: decision points reached and how many of them took the landing that can still finish. */
function choicesOf(data, response, perHop) {
  const canFinish = lineWalkCanFinish(data);
  const lines = response.split("\n");
  let at = data.start;
  for (const [index, hop] of data.hops.entries()) {
    if (!canFinish[index].has(at)) return;
    const landings = lineWalkLandings(at, hop);
    // The landing this line takes when it is one of the hop's legal steps (undefined otherwise).
    const taken = landings.find((to) => lines[index] === lineWalkStepText(at, to));
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

await selectBackend({ backend: "auto", log: () => {} });
const rows = [];
for (const path of paths) {
  const { directory, seed, label, algorithm } = await resolve(path);
  const manifest = JSON.parse(readFileSync(join(directory, "manifest.json"), "utf8"));
  if (manifest.metadata?.task !== "line-walk")
    fail(`${path}: a ${manifest.metadata?.task ?? "task-less"} checkpoint, not line-walk`);
  const task = createBuiltinTask("line-walk", manifest.metadata.taskOptions ?? {});
  const problems = sampleProblems(task, { split: flags.split, count: problemCount, seed: 0 });
  const { model, tokenizer } = await loadCheckpoint(directory);
  const perHop = Array.from({ length: task.options.hops }, () => ({ decisions: 0, good: 0 }));
  // The verifier sees every sampled response: the analysis reads them there.
  const verifier = {
    verify(problem, response) {
      choicesOf(problem.data, response, perHop);
      return task.verify(problem, response);
    },
  };
  const evaluation = await evaluatePolicy({
    policy: TfjsPolicy.fromTokenizer(model, tokenizer, { seed, maxBatchSize: 128 }),
    codec: { encode: (text) => tokenizer.encode(text), decode: (tokens) => tokenizer.decode(tokens) },
    problems,
    verifier,
    maxTokens: Math.min(task.maxResponseSymbols + 1, model.config.contextLength),
    samples,
    ks: [1],
    greedy: false,
    sampling: { temperature: 1 },
    promptPrefix: [tokenizer.bosId],
    seed,
    stepDelimiterToken: tokenizer.stepDelimiterId,
  });
  rows.push({ label, algorithm, success: evaluation.summary.meanAtK, perHop });
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
