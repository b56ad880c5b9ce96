// Prints the calibration table of the regulariser baselines: for every run folder found under the
// given folders (a `compare` output or single `train` runs), the per-step means over training of
// what grpo-entropy and grpo-clip-higher target (token entropy of the sampled responses, clip
// fraction split at the upper and lower bound), the training accuracy and the test mean@k, one
// row per run and one per algorithm setting (mean over its seeds).
// Usage: node experiments/baseline-calibration.mjs [--steps N] runs/baselines [more folders...]
// (--steps N: means over the first N steps only, to compare runs of different lengths.)
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { integerOption, parseScriptArguments, scriptFailure } from "../scripts/command-line.mjs";

const columns = [
  ["entropy", "entropy"],
  ["clipFraction", "clip"],
  ["clipFractionHigh", "clip high"],
  ["clipFractionLow", "clip low"],
  ["accuracy", "train acc."],
];

function runFolders(folder) {
  if (existsSync(join(folder, "metrics.jsonl")) && existsSync(join(folder, "config.json"))) return [folder];
  return readdirSync(folder)
    .map((name) => join(folder, name))
    .filter((path) => statSync(path).isDirectory())
    .flatMap(runFolders);
}

const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;

function summarize(folder) {
  const config = JSON.parse(readFileSync(join(folder, "config.json"), "utf8"));
  const steps = readFileSync(join(folder, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line))
    .slice(0, firstSteps);
  const evaluation = existsSync(join(folder, "eval.json"))
    ? JSON.parse(readFileSync(join(folder, "eval.json"), "utf8"))
    : null;
  const { optimizer } = config;
  const resolved = config.resolved.loss;
  const setting = [
    `${config.task} ${config.algorithm}`,
    `eps ${resolved.clipLow}/${resolved.clipHigh}`,
    `entropy coef. ${resolved.entropyCoefficient}`,
    `KL ${resolved.klCoefficient}`,
    `lr ${optimizer.learningRate}`,
    `${optimizer.epochs} epochs x ${optimizer.miniBatches ?? 1} mini-batches`,
  ].join(", ");
  const values = Object.fromEntries(
    columns.map(([key]) => [key, mean(steps.map((step) => (typeof step[key] === "number" ? step[key] : 0)))]),
  );
  // Runs made before the clip fraction was split have no high/low: left blank, never reported as 0.
  for (const key of ["clipFractionHigh", "clipFractionLow"]) {
    if (!steps.some((step) => typeof step[key] === "number")) values[key] = Number.NaN;
  }
  values.meanAtK = evaluation?.meanAtK ?? Number.NaN;
  return { setting, seed: config.seed, steps: steps.length, values };
}

const fail = scriptFailure(import.meta.url);
const { values: flags, positionals: folders } = parseScriptArguments(import.meta.url, {
  allowPositionals: true,
  options: { steps: { type: "string" } },
});
const firstSteps = flags.steps === undefined ? undefined : integerOption(import.meta.url, "--steps", flags.steps);
if (folders.length === 0) fail("give at least one run or comparison folder (--help shows the usage)");
const runs = folders.flatMap((folder) => {
  if (!existsSync(folder)) fail(`no folder ${folder}`);
  return runFolders(folder).map(summarize);
});
runs.sort((a, b) => a.setting.localeCompare(b.setting) || a.seed - b.seed);

const format = (value, key) =>
  Number.isNaN(value) ? "" : key.startsWith("clip") ? `${(value * 100).toFixed(3)}%` : value.toFixed(4);
const keys = [...columns.map(([key]) => key), "meanAtK"];
const header = ["setting", "seed", "steps", ...columns.map(([, title]) => title), "test mean@k"];
console.log(`| ${header.join(" | ")} |`);
console.log(`| ${header.map(() => "---").join(" | ")} |`);
const settings = [...new Set(runs.map((run) => run.setting))];
for (const setting of settings) {
  const own = runs.filter((run) => run.setting === setting);
  for (const run of own) {
    console.log(
      `| ${setting} | ${run.seed} | ${run.steps} | ${keys.map((key) => format(run.values[key], key)).join(" | ")} |`,
    );
  }
  if (own.length > 1) {
    const means = keys.map((key) => format(mean(own.map((run) => run.values[key])), key));
    const steps = [...new Set(own.map((run) => run.steps))].join("/");
    console.log(`| ${setting} | mean of ${own.length} | ${steps} | ${means.join(" | ")} |`);
  }
}
console.log(
  "\nPer-step means over training: entropy is the mean token entropy (nats) of the sampled responses; clip is the share of trained tokens clipped in the last epoch, split at the upper bound (1 + eps_high, positive advantages) and the lower (1 - eps_low, negative advantages).",
);
