// Paired differences between runs kept in different comparison folders: one algorithm trained with
// two option sets (each by its own `ibtpo compare`, so both carry the same algorithm name), or an
// ablation next to a protocol's test runs. Every folder gets a label; each label's metric is
// paired by seed with the baseline label's (same problems, same base policy), as in METHOD.md
// section 8. Reads each folder's results.json (written by `ibtpo compare` and `ibtpo report`).
//
// Usage (from the repository root, after `pnpm build`):
//   node experiments/paired-folders.mjs --baseline LABEL [--metric meanAtK,step:effRate] \
//     [--task countdown] LABEL=FOLDER[#ALGORITHM] ...
// FOLDER#ALGORITHM takes the runs of one algorithm of a folder that holds several. A metric is a
// test-split figure of the run's final evaluation (meanAtK, pass@8, ...) or, as step:NAME, the
// mean over the run's training steps of a logged step metric (effRate, entropy, ibCov, ...).
import { formatMeanInterval, meanConfidenceInterval, runMetricValues } from "../packages/bench-harness/dist/index.js";
import { parseScriptArguments, scriptFailure } from "../scripts/command-line.mjs";
import { loadComparisonRuns, readComparisonResults, stepMean } from "./comparison-runs.mjs";

const fail = scriptFailure(import.meta.url);
const { values: args, positionals } = parseScriptArguments(import.meta.url, {
  allowPositionals: true,
  options: {
    baseline: { type: "string" },
    metric: { type: "string", default: "meanAtK" },
    task: { type: "string" },
  },
});
if (positionals.length < 2) fail("give at least two LABEL=FOLDER[#ALGORITHM] arguments");
if (args.baseline === undefined) fail("--baseline LABEL is required (one of the labels)");

/** The runs (with their step histories) a LABEL=FOLDER[#ALGORITHM] argument stands for, relabelled with LABEL. */
async function labelledRuns(argument) {
  const equals = argument.indexOf("=");
  if (equals <= 0) fail(`"${argument}" is not LABEL=FOLDER[#ALGORITHM]`);
  const label = argument.slice(0, equals);
  const [folder, algorithm] = argument.slice(equals + 1).split("#");
  let results;
  try {
    results = readComparisonResults(folder);
  } catch (error) {
    fail(error.message);
  }
  let runs = results.runs.filter((run) => args.task === undefined || run.config?.task === args.task);
  const algorithms = [...new Set(runs.map((run) => run.config.algorithm))];
  if (algorithm !== undefined) runs = runs.filter((run) => run.config.algorithm === algorithm);
  else if (algorithms.length > 1) fail(`${folder} holds ${algorithms.join(", ")}: name one as ${folder}#ALGORITHM`);
  const tasks = [...new Set(runs.map((run) => run.config.task))];
  if (runs.length === 0) fail(`${folder}${algorithm === undefined ? "" : `#${algorithm}`} has no runs to use`);
  if (tasks.length > 1) fail(`${folder} holds runs of ${tasks.join(", ")}: choose one with --task`);
  let stored;
  try {
    stored = await loadComparisonRuns(folder, runs);
  } catch (error) {
    fail(error.message);
  }
  return stored.map((run) => ({ ...run, config: { ...run.config, algorithm: label } }));
}

const groups = await Promise.all(positionals.map(labelledRuns));
const labels = groups.map((runs) => runs[0].config.algorithm);
if (new Set(labels).size !== labels.length) fail(`labels must differ: ${labels.join(", ")}`);
if (!labels.includes(args.baseline)) fail(`--baseline ${args.baseline} is none of the labels: ${labels.join(", ")}`);
const tasks = new Set(groups.map((runs) => runs[0].config.task));
if (tasks.size > 1) fail(`the folders hold different tasks (${[...tasks].join(", ")}): choose one with --task`);

const STEP_PREFIX = "step:";
const evaluationMetrics = runMetricValues(groups[0][0]);

/** A run's figure for a metric: its final evaluation's, or the mean over its training steps. */
const metricValue = (run, metric) =>
  metric.startsWith(STEP_PREFIX)
    ? stepMean(run, metric.slice(STEP_PREFIX.length))
    : (runMetricValues(run)[metric] ?? null);

const metrics = args.metric.split(",").filter((metric) => metric.length > 0);
for (const metric of metrics) {
  if (!metric.startsWith(STEP_PREFIX) && !(metric in evaluationMetrics)) {
    fail(`unknown metric "${metric}": one of ${Object.keys(evaluationMetrics).join(", ")}, or step:NAME`);
  }
}
const bySeed = (runs, metric) =>
  new Map(runs.map((run) => [run.config.seed, metricValue(run, metric)]).filter(([, value]) => value !== null));
const baselineRuns = groups[labels.indexOf(args.baseline)];
for (const metric of metrics) {
  const baseline = bySeed(baselineRuns, metric);
  if (baseline.size === 0) fail(`no run of ${args.baseline} has ${metric}`);
  console.log(`\n| label | seeds | ${metric} | minus ${args.baseline}, paired by seed | paired seeds |`);
  console.log("| --- | --- | --- | --- | --- |");
  for (const [index, label] of labels.entries()) {
    const values = bySeed(groups[index], metric);
    const seeds = [...values.keys()].sort((a, b) => a - b);
    const paired = seeds.filter((seed) => baseline.has(seed));
    const differences = paired.map((seed) => values.get(seed) - baseline.get(seed));
    const difference =
      label === args.baseline || paired.length === 0
        ? "-"
        : formatMeanInterval(meanConfidenceInterval(differences), { signed: true });
    const shown =
      seeds.length === 0 ? "-" : formatMeanInterval(meanConfidenceInterval(seeds.map((seed) => values.get(seed))));
    console.log(
      `| ${label} | ${seeds.join(",") || "-"} | ${shown} | ${difference} | ${label === args.baseline ? "-" : paired.length} |`,
    );
  }
}
