// Score the final checkpoints of a protocol's test runs again, the way each run's own final
// evaluation scored it (same test problems, samples, sampling seed, temperature and truncation:
// without EVAL_FLAGS this repeats the runs' mean@k exactly), with EVAL_FLAGS overriding those
// settings (for example the paper's sampling: --temperature 0.7 --top-p 0.95 --top-k 20). Prints
// mean@k with its 95% interval and the paired difference against GRPO per seed. Each evaluation is
// kept next to the run as rescore-<tag>.json, so the script can be stopped and started again.
//
// Usage (from the repository root, after `pnpm build`):
//   node experiments/rescore.mjs TEST_FOLDER --tag NAME [--algos grpo,ib-tpo,treerl] [--seeds 1,2,3,4,5]
//     -- EVAL_FLAGS...
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { formatMeanInterval, meanConfidenceInterval, runFolderPath } from "../packages/bench-harness/dist/index.js";
import { parseScriptArguments, scriptFailure } from "../scripts/command-line.mjs";
import { evaluationArguments } from "./evaluation-arguments.mjs";
import { seedListProblem } from "./seed-list.mjs";

const CLI = "apps/trainer/dist/cli.js";
const BASELINE = "grpo";

const fail = scriptFailure(import.meta.url);
const { values: args, positionals } = parseScriptArguments(import.meta.url, {
  allowPositionals: true,
  options: {
    tag: { type: "string" },
    algos: { type: "string", default: "grpo,ib-tpo,treerl" },
    seeds: { type: "string", default: "1,2,3,4,5" },
  },
});
const [testFolder, ...evalFlags] = positionals;
if (testFolder === undefined || !existsSync(testFolder)) fail(`give a protocol's test folder, got ${testFolder}`);
if (args.tag === undefined || !/^[\w.-]+$/.test(args.tag))
  fail("--tag must name the evaluation (letters, digits, . _ -)");
const algorithms = args.algos.split(",");
if (!algorithms.includes(BASELINE)) fail(`--algos must include ${BASELINE}, the baseline of the paired differences`);
const seedTexts = args.seeds.split(",").map((seed) => seed.trim());
const seedProblem = seedListProblem("--seeds", seedTexts);
if (seedProblem !== null) fail(seedProblem);
const seeds = seedTexts.map(Number);

const resultsFile = join(testFolder, "results.json");
if (!existsSync(resultsFile)) fail(`${resultsFile} does not exist: give the test folder of a protocol task`);
// The task of the folder's runs, as its comparison recorded them.
const { task } = JSON.parse(readFileSync(resultsFile, "utf8")).runs[0].config;

const meanAtK = new Map();
for (const algorithm of algorithms) {
  for (const seed of seeds) {
    const run = runFolderPath(testFolder, { task, algorithm, seed });
    const config = JSON.parse(readFileSync(join(run, "config.json"), "utf8"));
    const out = join(run, `rescore-${args.tag}.json`);
    if (!existsSync(out)) {
      const command = [CLI, "eval", run, ...evaluationArguments(config), ...evalFlags, "--out", out];
      console.error(`${algorithm} seed ${seed}: node ${command.join(" ")}`);
      const result = spawnSync(process.execPath, command, { stdio: ["ignore", "ignore", "inherit"] });
      if (result.status !== 0) fail(`the evaluation of ${run} failed (exit ${result.status})`);
    }
    meanAtK.set(`${algorithm} ${seed}`, JSON.parse(readFileSync(out, "utf8")).meanAtK);
  }
}

const shown = (value) => (value >= 0 ? "+" : "") + value.toFixed(3);
console.log(`Evaluation flags: ${evalFlags.join(" ") || "(none)"}; seeds ${seeds.join(", ")}\n`);
console.log("| algorithm | mean@k | minus GRPO (paired) | per seed |");
console.log("| --- | --- | --- | --- |");
for (const algorithm of algorithms) {
  const values = seeds.map((seed) => meanAtK.get(`${algorithm} ${seed}`));
  const differences = seeds.map((seed, index) => values[index] - meanAtK.get(`${BASELINE} ${seed}`));
  const paired =
    algorithm === BASELINE ? "-" : formatMeanInterval(meanConfidenceInterval(differences), { signed: true });
  const perSeed = algorithm === BASELINE ? "-" : differences.map(shown).join(", ");
  console.log(`| ${algorithm} | ${formatMeanInterval(meanConfidenceInterval(values))} | ${paired} | ${perSeed} |`);
}
