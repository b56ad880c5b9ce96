// The evaluation protocol of docs/METHOD.md section 8, end to end and resumable:
//   1. search: every algorithm trains with each learning rate (the search seeds: by default the
//      first test seed) and is scored on the validation split; the learning rate with the best
//      validation mean@k (mean over the search seeds) is chosen per algorithm
//      (ties go to the smaller rate); IB-TPO option sets other than the paper's defaults
//      (--ib-tpo-variant) are searched the same way, so no option is ever chosen on the test split;
//   2. test: every algorithm trains at its chosen rate with every test seed, scored on the test
//      split; mean, 95% CI and the paired difference against GRPO per seed (results.md, report.html);
//   3. ablation: the paper's Table 2 (which part of IB-TPO does the work) with the ablation seeds:
//      GRPO advantages on IBTree, IB-TPO advantages on chains, on random trees and on entropy trees,
//      beside GRPO and full IB-TPO from step 2 (each variant at its estimator's chosen rate);
//   4. tables: PROTOCOL.md with the search, test, ablation and sampler (the paper's Table 3 at equal
//      tokens, from the training steps of the runs above, and on one policy: every sampler drawing
//      from the final checkpoints of the GRPO test runs, as the paper measures it) tables; the test table has a row for the
//      base checkpoint, scored like a test run (same problems, samples and seeds) with no RL step;
//      the ablation table is left out, with the reason, when its runs were made at settings other
//      than the current choices (a later search moved a choice).
// Every run is an `ibtpo compare` run of experiments/main.yaml (equal token budget, same base
// checkpoint, same KL and sampling settings); finished runs are reused, interrupted ones resumed,
// so the script can be stopped and started again with the same arguments.
//
// Usage (from the repository root, after `pnpm build`):
//   node experiments/run-protocol.mjs [--out runs/protocol] [--tasks countdown] [--jobs 2]
//     [--algos grpo,...] [--lrs 5e-5,1e-4,2e-4] [--task-lrs TASK:RATE,...] [--seeds 1,2,3,4,5]
//     [--search-seeds 1] [--ablation-seeds 1,2,3]
//     [--stages search,test,ablation,tables] [--ib-tpo-variant NAME:key=value,...] [--init-dir DIR]
//     [--set key=value ...]
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, relative } from "node:path";
import {
  formatMeanInterval,
  meanConfidenceInterval,
  pairedDifferences,
  runFolderPath,
  summarizeRuns,
} from "../packages/bench-harness/dist/index.js";
import { integerOption, parseScriptArguments, scriptFailure } from "../scripts/command-line.mjs";
import { loadComparisonRuns, readComparisonResults, stepMean } from "./comparison-runs.mjs";
import { evaluationArguments } from "./evaluation-arguments.mjs";
import { seedListProblem } from "./seed-list.mjs";

const fail = scriptFailure(import.meta.url);
const CLI = "apps/trainer/dist/cli.js";
const CONFIG = "experiments/main.yaml";
const BASELINE = "grpo";
const ALL_ALGORITHMS = "grpo,grpo-entropy,grpo-clip-higher,dapo,dr-grpo,treerl,ib-tpo";
/** The name of a preset's own option set. */
const DEFAULT_VARIANT = "preset";
const STAGES = ["search", "test", "ablation", "tables"];
/** The paper's Table 2 variants run here; GRPO and full IB-TPO come from the test stage. */
const ABLATIONS = [
  { name: "grpo-on-ib-tree", label: "GRPO advantages on IBTree", algorithm: "grpo", sampler: "ib-tree" },
  { name: "ib-tpo-on-chains", label: "IB-TPO advantages on chains", algorithm: "ib-tpo", sampler: "chains" },
  {
    name: "ib-tpo-on-random-tree",
    label: "IB-TPO advantages on random trees",
    algorithm: "ib-tpo",
    sampler: "random-tree",
  },
  {
    name: "ib-tpo-on-entropy-tree",
    label: "IB-TPO advantages on entropy trees",
    algorithm: "ib-tpo",
    sampler: "entropy-tree",
  },
];

/** The algorithms whose test runs Table 2 and the sampler table take from the test stage, with their Table 2 labels. */
const TABLE_2_TEST_LABELS = { [BASELINE]: BASELINE, "ib-tpo": "IB-TPO (full)", treerl: "TreeRL" };
/** Table 2's row label -> the algorithm whose advantages (and loss) that row trains with. */
const TABLE_2_ADVANTAGES = new Map([
  ...Object.entries(TABLE_2_TEST_LABELS).map(([algorithm, label]) => [label, algorithm]),
  ...ABLATIONS.map((variant) => [variant.label, variant.algorithm]),
]);

/** The test table's row of the base checkpoint, evaluated like a test run without any RL step. */
const BASE_CHECKPOINT_LABEL = "base checkpoint (no RL)";
/** Where a task's test folder keeps the base checkpoint's evaluations, one file per test seed. */
const BASE_CHECKPOINT_FOLDER = "base-checkpoint";

/** The samplers of the one-policy Table 3 (whole row labels of the sampler bench) and its batches per policy. */
const ONE_POLICY_SAMPLERS = "chains,random-tree,entropy-tree,ib-tree (paper J)";
const ONE_POLICY_BATCHES = 4;
const SAMPLER_BENCH = "apps/trainer/bench/sampler-trajectories.ts";
/** Where a task's test folder keeps the sampler bench's figures on the GRPO test runs' policies. */
const ONE_POLICY_FILE = "samplers-at-one-policy.json";
/**
 * The code the sampler bench samples with: its own file, the trainer's runtime it imports, and the
 * built packages (samplers, policy, tasks, scores). Kept figures are sampled again when it changes.
 */
const ONE_POLICY_CODE = [
  SAMPLER_BENCH,
  "apps/trainer/src/runtime",
  "packages/tree-sampler/dist",
  "packages/policy-tfjs/dist",
  "packages/bench-harness/dist",
  "packages/ib-score/dist",
];

/** Decimals of the sampler table's step metrics that are not rates (those get 3). */
const DIGITS_OF_STEP_METRIC = { trajectoriesPer1kTokens: 1, tokensPerSecond: 0 };

const { values: args } = parseScriptArguments(import.meta.url, {
  options: {
    out: { type: "string", default: "runs/protocol" },
    tasks: { type: "string", default: "countdown" },
    jobs: { type: "string", default: "2" },
    algos: { type: "string", default: ALL_ALGORITHMS },
    lrs: { type: "string", default: "5e-5,1e-4,2e-4" },
    /** A task's own learning-rate grid, as TASK:RATE,RATE,... (tasks not named use --lrs). */
    "task-lrs": { type: "string", multiple: true, default: [] },
    seeds: { type: "string", default: "1,2,3,4,5" },
    /**
     * Seeds of the validation search (default: the first test seed). More than one averages the
     * validation mean@k over them, so a choice rests less on one run's luck.
     */
    "search-seeds": { type: "string" },
    "ablation-seeds": { type: "string", default: "1,2,3" },
    stages: { type: "string", default: STAGES.join(",") },
    /**
     * An IB-TPO option set searched on validation beside the paper's defaults, as
     * NAME:key=value[,key=value] (e.g. seq-mean:loss.lossAggregation=seq-mean-token-mean).
     */
    "ib-tpo-variant": { type: "string", multiple: true, default: [] },
    /** Folder of the `<task>-base` checkpoints every run starts from (compare's default: checkpoints). */
    "init-dir": { type: "string" },
    /** Extra config keys for every run (e.g. a short smoke test: --set steps=2). */
    set: { type: "string", multiple: true, default: [] },
  },
});
const list = (text) =>
  text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
const tasks = list(args.tasks);
const algorithms = list(args.algos);
const defaultLearningRates = list(args.lrs).map(Number);
const taskLearningRates = new Map(
  args["task-lrs"].map((text) => {
    const colon = text.indexOf(":");
    const rates = list(text.slice(colon + 1)).map(Number);
    if (colon < 1 || rates.length === 0 || rates.some((rate) => !(rate > 0)))
      fail(`--task-lrs "${text}": expected TASK:RATE[,RATE] with positive rates`);
    return [text.slice(0, colon), rates];
  }),
);
/** The learning rates searched on a task. */
const learningRatesOf = (task) => taskLearningRates.get(task) ?? defaultLearningRates;
const seeds = list(args.seeds);
const searchSeeds = args["search-seeds"] === undefined ? [seeds[0]] : list(args["search-seeds"]);
const ablationSeeds = list(args["ablation-seeds"]);
for (const [flag, seedList] of [
  ["--seeds", seeds],
  ["--search-seeds", searchSeeds],
  ["--ablation-seeds", ablationSeeds],
]) {
  const problem = seedListProblem(flag, seedList);
  if (problem !== null) fail(problem);
}
const stages = list(args.stages);
const ibTpoVariants = args["ib-tpo-variant"].map((text) => {
  const colon = text.indexOf(":");
  const name = text.slice(0, colon);
  const settings = list(text.slice(colon + 1));
  if (
    colon < 1 ||
    !/^[a-z0-9-]+$/.test(name) ||
    name === DEFAULT_VARIANT ||
    settings.length === 0 ||
    settings.some((setting) => !setting.includes("="))
  ) {
    fail(
      `--ib-tpo-variant "${text}": expected NAME:key=value[,key=value], NAME of lowercase letters, digits and '-' (it names folders) and other than "${DEFAULT_VARIANT}"`,
    );
  }
  return { name, settings };
});
for (const [index, variant] of ibTpoVariants.entries()) {
  if (ibTpoVariants.findIndex((other) => other.name === variant.name) !== index) {
    fail(
      `--ib-tpo-variant: the name "${variant.name}" is given twice; each variant needs its own name (it names folders)`,
    );
  }
}
for (const stage of stages) {
  if (!STAGES.includes(stage)) fail(`--stages: unknown stage "${stage}" (stages: ${STAGES.join(", ")})`);
}
for (const task of taskLearningRates.keys()) {
  if (!tasks.includes(task)) fail(`--task-lrs names "${task}", which is not in --tasks (${tasks.join(", ")})`);
}
if (defaultLearningRates.some((rate) => !(rate > 0)))
  fail(`--lrs: every learning rate must be a positive number, got "${args.lrs}"`);
const jobs = integerOption(import.meta.url, "--jobs", args.jobs);
if (!algorithms.includes(BASELINE)) fail(`--algos must include the baseline ${BASELINE}`);
for (const task of args["init-dir"] === undefined ? [] : tasks) {
  const checkpoint = join(args["init-dir"], `${task}-base`);
  if (!existsSync(join(checkpoint, "manifest.json"))) fail(`--init-dir: no checkpoint ${checkpoint} for task ${task}`);
}
if (!existsSync(CLI)) fail(`${CLI} is missing: run \`npx -y pnpm@10.34.9 build\` first`);

/**
 * Runs `ibtpo compare` once per (folder, algorithm, seed), `--jobs` of them at a time, each one
 * run in its own process, so no core idles while a folder has fewer runs left than cores. Finished
 * runs are reused by compare itself. Each folder's results.json and report are then rebuilt from
 * every run it holds.
 */
/** Runs this invocation trained (or resumed) and runs it found finished, for the closing line. */
let runsTrained = 0;
let runsReused = 0;
const started = performance.now();

async function compareEach(units) {
  for (const unit of units) setAsideIfMadeOtherwise(unit);
  const sets = args.set.flatMap((setting) => ["--set", setting]);
  let next = 0;
  let done = 0;
  const runUnit = async (unit) => {
    if (existsSync(join(runFolderPath(unit.out, unit), "eval.json"))) runsReused += 1;
    else runsTrained += 1;
    const command = [
      "compare",
      "--config",
      CONFIG,
      "--jobs",
      "1",
      // Each compare runs beside jobs - 1 others: it gets worker threads only if its share of
      // the cores leaves one spare.
      "--cores",
      String(Math.max(1, Math.floor(cpus().length / jobs))),
      "--out",
      unit.out,
      ...(args["init-dir"] === undefined ? [] : ["--init-dir", args["init-dir"]]),
      ...sets,
      "--algos",
      unit.algorithm,
      "--seeds",
      String(unit.seed),
      "--tasks",
      unit.task,
      ...setArguments(unit.settings),
    ];
    const child = spawn(process.execPath, [CLI, ...command], { stdio: ["ignore", "ignore", "inherit"] });
    const code = await new Promise((resolve) => child.on("close", resolve));
    if (code !== 0) fail(`node ${CLI} ${command.join(" ")} failed (exit ${code})`);
    done += 1;
    console.log(`[${done}/${units.length}] ${unit.out} ${unit.algorithm} seed ${unit.seed}`);
  };
  const worker = async () => {
    while (next < units.length) await runUnit(units[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, units.length)) }, worker));
  for (const [out, title] of new Map(units.map((unit) => [unit.out, unit.title]))) {
    const report = spawnSync(process.execPath, [CLI, "report", out, "--title", title], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (report.status !== 0) fail(`ibtpo report ${out} failed`);
  }
}

/**
 * The value of a dotted key in a run's config.json, undefined when the run did not set it (the
 * option sets only add keys the preset leaves unset).
 */
const recordedValue = (config, key) => key.split(".").reduce((node, part) => node?.[part], config);
const sameValue = (recorded, text) =>
  recorded !== undefined && (typeof recorded === "number" ? recorded === Number(text) : String(recorded) === text);

/**
 * The keys on which a run's recorded config departs from `settings`: a key given there with
 * another value, or a key set by any option set but not given there and set in the run.
 */
function differingKeys(config, settings) {
  const wanted = new Map(
    settings.map((setting) => setting.split("=")).map(([key, ...value]) => [key, value.join("=")]),
  );
  const optionKeys = ibTpoVariants.flatMap((variant) => variant.settings.map((setting) => setting.split("=")[0]));
  return [...new Set([...wanted.keys(), ...optionKeys])].filter((key) =>
    wanted.has(key)
      ? !sameValue(recordedValue(config, key), wanted.get(key))
      : recordedValue(config, key) !== undefined,
  );
}

/**
 * A finished run is reused only if it was made with this unit's settings: when the chosen setting
 * of an algorithm changes (a new option set searched, a rate chosen again), the earlier run
 * folder is moved under <out>/superseded/ (kept, not deleted) so the unit is trained again.
 */
function setAsideIfMadeOtherwise(unit) {
  const folder = runFolderPath(unit.out, unit);
  const configFile = join(folder, "config.json");
  if (!existsSync(configFile)) return;
  const differing = differingKeys(JSON.parse(readFileSync(configFile, "utf8")), unit.settings);
  if (differing.length === 0) return;
  const base = join(args.out, "superseded", relative(args.out, folder));
  let target = base;
  for (let n = 2; existsSync(target); n++) target = `${base}-${n}`;
  mkdirSync(dirname(target), { recursive: true });
  renameSync(folder, target);
  console.log(`${folder}: made with other settings (${differing.join(", ")}); moved to ${target}`);
}

const rateName = (rate) => `lr-${rate}`;
const variantSuffix = (variant) => (variant.name === DEFAULT_VARIANT ? "" : `-${variant.name}`);
const searchFolder = (task, rate, variant) =>
  join(args.out, task, "search", `${rateName(rate)}${variantSuffix(variant)}`);
const testFolder = (task) => join(args.out, task, "test");
const ablationFolder = (task, name) => join(args.out, task, "ablation", name);
const setArguments = (settings) => settings.flatMap((setting) => ["--set", setting]);

/** The option sets searched per algorithm: the preset as it is, plus any --ib-tpo-variant. */
const variantsOf = (algorithm) =>
  algorithm === "ib-tpo"
    ? [{ name: DEFAULT_VARIANT, settings: [] }, ...ibTpoVariants]
    : [{ name: DEFAULT_VARIANT, settings: [] }];

/** Validation mean@k of one algorithm, option set and rate (null until that search run exists). */
function searchScore(task, algorithm, variant, rate) {
  const folder = searchFolder(task, rate, variant);
  if (!existsSync(join(folder, "results.json"))) return null;
  const row = readComparisonResults(folder).summary.find((row) => row.algorithm === algorithm);
  // A folder searched with other seeds is not this search's score: run the search stage again.
  const sameSeeds =
    row !== undefined &&
    row.seeds.length === searchSeeds.length &&
    searchSeeds.every((seed) => row.seeds.includes(Number(seed)));
  return sameSeeds ? (row.metrics.meanAtK?.mean ?? null) : null;
}

/**
 * The best validation mean@k over rates and option sets of an algorithm; ties go to the smaller
 * rate, then to the preset's own options.
 */
function chosenSetting(task, algorithm) {
  let best = null;
  for (const variant of variantsOf(algorithm)) {
    for (const rate of [...learningRatesOf(task)].sort((a, b) => a - b)) {
      const score = searchScore(task, algorithm, variant, rate);
      if (typeof score !== "number") {
        fail(
          `no validation result for ${algorithm} (${variant.name}) at ${rateName(rate)} on ${task}: run the search stage`,
        );
      }
      if (best === null || score > best.score || (score === best.score && rate < best.rate))
        best = { rate, variant, score };
    }
  }
  return best;
}

const chosenSettings = (task, algorithm) => {
  const { rate, variant } = chosenSetting(task, algorithm);
  return [`optimizer.learningRate=${rate}`, ...variant.settings];
};

const isSamplerSetting = (setting) => setting.startsWith("sampler.");

/**
 * An ablation's settings: its estimator's chosen rate and options on another sampler. Sampler
 * options chosen with the estimator's own sampler stay behind (chains take none of IBTree's);
 * on IBTree, the tree is the one IB-TPO was chosen with, so the IB-TPO option set's sampler
 * options come along.
 */
const ablationSettings = (task, variant) => [
  ...chosenSettings(task, variant.algorithm).filter((setting) => !isSamplerSetting(setting)),
  ...(variant.sampler === "ib-tree" ? chosenSettings(task, "ib-tpo").filter(isSamplerSetting) : []),
  `sampler.kind=${variant.sampler}`,
];

const seedUnits = (base, algorithm, seedList) => seedList.map((seed) => ({ ...base, algorithm, seed }));

if (stages.includes("search")) {
  const units = tasks.flatMap((task) =>
    learningRatesOf(task).flatMap((rate) => [
      ...algorithms.flatMap((algorithm) =>
        seedUnits(
          {
            out: searchFolder(task, rate, { name: DEFAULT_VARIANT }),
            task,
            settings: [`optimizer.learningRate=${rate}`, "evaluation.split=validation"],
            title: `Learning-rate search on ${task}, validation split, ${rateName(rate)}`,
          },
          algorithm,
          searchSeeds,
        ),
      ),
      ...(algorithms.includes("ib-tpo") ? ibTpoVariants : []).flatMap((variant) =>
        seedUnits(
          {
            out: searchFolder(task, rate, variant),
            task,
            settings: [`optimizer.learningRate=${rate}`, "evaluation.split=validation", ...variant.settings],
            title: `Option search on ${task}, validation split, ${rateName(rate)}, ib-tpo ${variant.name}`,
          },
          "ib-tpo",
          searchSeeds,
        ),
      ),
    ]),
  );
  await compareEach(units);
}
if (stages.includes("test")) {
  await compareEach(
    tasks.flatMap((task) =>
      algorithms.flatMap((algorithm) =>
        seedUnits(
          {
            out: testFolder(task),
            task,
            settings: chosenSettings(task, algorithm),
            title: `${task}: every algorithm at its validation-chosen settings, test split`,
          },
          algorithm,
          seeds,
        ),
      ),
    ),
  );
}
if (stages.includes("ablation")) {
  await compareEach(
    tasks.flatMap((task) =>
      ABLATIONS.flatMap((variant) =>
        seedUnits(
          {
            out: ablationFolder(task, variant.name),
            task,
            settings: ablationSettings(task, variant),
            title: `Ablation on ${task}: ${variant.label}`,
          },
          variant.algorithm,
          ablationSeeds,
        ),
      ),
    ),
  );
}

if (stages.includes("tables")) await writeTables();
const minutes = (performance.now() - started) / 60_000;
console.log(
  `run-protocol: ${stages.join(", ")} done in ${minutes.toFixed(1)} min wall; ${runsTrained} runs trained or resumed, ${runsReused} reused`,
);

/**
 * A table cell of a mean and its interval: "-" for no interval, and "[-, -]" for the bounds a single
 * seed lacks, so every cell of a column has the same shape.
 */
function cell(interval, digits = 3) {
  return formatMeanInterval(interval, { digits, missingBound: "-" });
}

/** A cell of a paired difference: as {@link cell}, signed, so a gain and a loss read apart. */
function differenceCell(interval) {
  return formatMeanInterval(interval, { signed: true, missingBound: "-" });
}

/**
 * The base checkpoint the GRPO test runs of a task started from (their recorded `init`), scored
 * the way each of them was (same split, problems, samples, seed, temperature and truncation) and kept under
 * the test folder, so the table shows what RL added over the starting policy. Evaluated once per
 * seed.
 */
function baseCheckpointRuns(task, testRuns) {
  const baselineRuns = testRuns.filter((run) => run.config.task === task && run.config.algorithm === BASELINE);
  return baselineRuns.map(({ config }) => {
    const file = join(testFolder(task), BASE_CHECKPOINT_FOLDER, `seed-${config.seed}.json`);
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      const command = ["eval", config.init, ...evaluationArguments(config), "--out", file];
      console.log(`evaluating ${config.init} on ${task} (${config.evaluation.split} split, seed ${config.seed})`);
      const evaluation = spawnSync(process.execPath, [CLI, ...command], { stdio: ["ignore", "ignore", "inherit"] });
      if (evaluation.status !== 0) fail(`node ${CLI} ${command.join(" ")} failed (exit ${evaluation.status})`);
    }
    return {
      config: { task, algorithm: BASE_CHECKPOINT_LABEL, seed: config.seed },
      evaluation: JSON.parse(readFileSync(file, "utf8")),
      history: [],
    };
  });
}

/**
 * The paper's Table 3 measured as the paper measures it, on one model: every sampler draws the
 * same training prompts from the same policy, the final checkpoint of each GRPO test run (the
 * policy RL has reached, the same for every sampler), at the runs' budget and sampling settings.
 * In the training-step table each sampler is seen on the policy its own runs trained, so a
 * sampler whose runs learned faster shows a lower Eff-Rate for that reason alone. Returns the
 * sampler bench's machine line and its interval table (95% t-intervals over the policies,
 * differences to chains paired per policy), or null without GRPO test runs. The bench's figures
 * (its --json output) are kept in the test folder and made again when the policies or settings change.
 */
function samplersAtOnePolicy(task, testRuns) {
  const baselineRuns = testRuns
    .filter((run) => run.config.task === task && run.config.algorithm === BASELINE)
    .sort((a, b) => a.config.seed - b.config.seed);
  if (baselineRuns.length === 0) return null;
  const { budget, promptsPerStep, sampling } = baselineRuns[0].config;
  const command = [
    "--import",
    "tsx",
    SAMPLER_BENCH,
    "--json",
    ...["--only", ONE_POLICY_SAMPLERS, "--exact", "--steps", String(ONE_POLICY_BATCHES)],
    ...["--prompts", String(promptsPerStep), "--budget", String(budget)],
    ...["--temperature", String(sampling?.temperature ?? 1), "--top-p", String(sampling?.topP ?? 1)],
    ...["--top-k", String(sampling?.topK ?? 0)],
    ...["--policies", baselineRuns.map((run) => runFolderPath(testFolder(task), run.config)).join(",")],
  ];
  const file = join(testFolder(task), ONE_POLICY_FILE);
  const saved = existsSync(file) ? readSavedBenchOutput(file) : null;
  const codeDigest = samplingCodeDigest();
  const sameCommand = saved?.command?.join("\u0000") === command.join("\u0000");
  if (sameCommand && saved.codeDigest !== codeDigest)
    console.log(`${file} was sampled by other sampling code; sampling again`);
  let figures = sameCommand && saved.codeDigest === codeDigest ? saved.figures : null;
  if (figures === null) {
    console.log(
      `sampling every sampler from the ${baselineRuns.length} GRPO test policies of ${task} (Table 3 at one policy)`,
    );
    const bench = spawnSync(process.execPath, command, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    if (bench.status !== 0) fail(`node ${command.join(" ")} failed (exit ${bench.status})`);
    try {
      figures = JSON.parse(bench.stdout);
    } catch (error) {
      fail(`node ${command.join(" ")} printed no JSON document (${error.message})`);
    }
    writeFileSync(`${file}.tmp`, `${JSON.stringify({ command, codeDigest, figures }, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  }
  // The bench renders its interval table itself, so PROTOCOL.md shows it in the bench's one format.
  const table = figures.tasks?.find((entry) => entry.task === task)?.intervalTable;
  if (!table)
    fail(`${file}: the sampler bench's figures have no interval table for ${task}; delete the file to sample again`);
  return { machine: figures.machine, title: table.title, table: table.lines, policies: baselineRuns.length };
}

/** SHA-256 over the files of ONE_POLICY_CODE (code only: .ts and .js, not maps or types). */
function samplingCodeDigest() {
  const files = ONE_POLICY_CODE.flatMap((path) =>
    path.endsWith(".ts")
      ? [path]
      : readdirSync(path)
          .filter((name) => /\.(ts|js)$/.test(name) && !name.endsWith(".d.ts") && !name.endsWith(".test.ts"))
          .sort()
          .map((name) => join(path, name)),
  );
  const hash = createHash("sha256");
  for (const file of files) hash.update(file).update("\u0000").update(readFileSync(file)).update("\u0000");
  return hash.digest("hex");
}

/**
 * Kept sampler-bench figures, or null (sample again) when the file is not the JSON this script
 * writes (an unreadable file, or one kept by an earlier version that stored the bench's text).
 */
function readSavedBenchOutput(file) {
  try {
    const saved = JSON.parse(readFileSync(file, "utf8"));
    return Array.isArray(saved?.command) && typeof saved.figures === "object" && saved.figures !== null ? saved : null;
  } catch {
    console.log(`${file} is not readable JSON; sampling again`);
    return null;
  }
}

function relabel(runs, algorithm) {
  return runs.map((run) => ({ ...run, config: { ...run.config, algorithm } }));
}

async function writeTables() {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const lines = [
    "# Protocol results (docs/METHOD.md section 8)",
    "",
    `Tables written by \`node experiments/run-protocol.mjs ${process.argv.slice(2).join(" ")}\` from the runs its`,
    `search, test and ablation stages made with the same settings from \`${CONFIG}\`; machine: ${cpus().length} x ${cpu},`,
    `Node ${process.version}; load average when the tables were written ${loadavg()[0].toFixed(1)}.`,
    "Intervals are 95% t-intervals over seeds; paired differences are per seed (same seed, same problems), against GRPO and from IB-TPO to each algorithm.",
    "",
  ];
  for (const task of tasks) {
    const learningRates = learningRatesOf(task);
    lines.push(
      `## ${task}`,
      "",
      `### Learning-rate search (validation split, ${searchSeeds.length === 1 ? `seed ${searchSeeds[0]}` : `mean over seeds ${searchSeeds.join(", ")}`}, mean@k)`,
      "",
    );
    lines.push(`| algorithm | options | ${learningRates.map(rateName).join(" | ")} | chosen |`);
    lines.push(`| --- | --- | ${learningRates.map(() => "---").join(" | ")} | --- |`);
    for (const algorithm of algorithms) {
      const scores = variantsOf(algorithm).map((variant) => ({
        variant,
        byRate: learningRates.map((rate) => searchScore(task, algorithm, variant, rate)),
      }));
      const complete = scores.every(({ byRate }) => byRate.every((score) => typeof score === "number"));
      const chosen = complete ? chosenSetting(task, algorithm) : null;
      for (const { variant, byRate } of scores) {
        const cells = byRate.map((score, index) => {
          if (typeof score !== "number") return "-";
          const isChosen =
            chosen !== null && chosen.variant.name === variant.name && chosen.rate === learningRates[index];
          return isChosen ? `**${score.toFixed(3)}**` : score.toFixed(3);
        });
        const options = variant.settings.length === 0 ? "preset" : variant.settings.join(", ");
        const chosenCell = chosen !== null && chosen.variant.name === variant.name ? rateName(chosen.rate) : "";
        lines.push(`| ${algorithm} | ${options} | ${cells.join(" | ")} | ${chosenCell} |`);
      }
    }
    lines.push("");
    const testResults = existsSync(join(testFolder(task), "results.json"))
      ? { summary: readComparisonResults(testFolder(task)).summary, runs: await loadComparisonRuns(testFolder(task)) }
      : null;
    if (testResults !== null) {
      lines.push(`### Test split, seeds ${seeds.join(", ")}, each algorithm at its validation-chosen settings`, "");
      lines.push(
        "| algorithm | settings searched | seeds | mean@k | pass@1 (greedy) | pass@8 | mean@k minus GRPO (paired) | IB-TPO minus this (paired) | mean@k minus base checkpoint (paired) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      );
      const baseRuns = baseCheckpointRuns(task, testResults.runs);
      const runs = [...testResults.runs, ...baseRuns];
      const pairedAgainst = (baseline) =>
        new Map(pairedDifferences(runs, baseline, "meanAtK").map((row) => [row.algorithm, row]));
      const againstGrpo = pairedAgainst(BASELINE);
      const overBase = pairedAgainst(BASE_CHECKPOINT_LABEL);
      // The goal is IB-TPO ahead of every baseline, so each row also carries IB-TPO's paired lead over it.
      const ibTpoLead = (algorithm) => pairedAgainst(algorithm).get("ib-tpo");
      // The base row is summarised like a test row; a metric some seed lacks gets a "-" cell.
      const baseRow = summarizeRuns(baseRuns);
      for (const row of [...testResults.summary.filter((row) => row.task === task), ...baseRow]) {
        const isBase = row.algorithm === BASE_CHECKPOINT_LABEL;
        const paired = (map) => (map.has(row.algorithm) ? differenceCell(map.get(row.algorithm).interval) : "-");
        const lead = row.algorithm === "ib-tpo" ? undefined : ibTpoLead(row.algorithm);
        // Disclosed because IB-TPO's option sets make its validation search larger than a preset's.
        const searched = isBase ? "-" : variantsOf(row.algorithm).length * learningRates.length;
        lines.push(
          `| ${row.algorithm} | ${searched} | ${row.seeds.length} | ${cell(row.metrics.meanAtK)} | ${cell(row.metrics.passAt1Greedy)} | ${cell(row.metrics["pass@8"])} | ${paired(againstGrpo)} | ${lead === undefined ? "-" : differenceCell(lead.interval)} | ${paired(overBase)} |`,
        );
      }
      lines.push(
        "",
        `Curves and every metric: [report.html](${task}/test/report.html), [results.md](${task}/test/results.md).`,
        "",
      );
    }
    const ablationRuns = [];
    if (testResults !== null) {
      const inSeeds = (run) => ablationSeeds.includes(String(run.config.seed)) && run.config.task === task;
      for (const [algorithm, label] of Object.entries(TABLE_2_TEST_LABELS)) {
        ablationRuns.push(
          ...relabel(
            testResults.runs.filter((run) => inSeeds(run) && run.config.algorithm === algorithm),
            label,
          ),
        );
      }
    }
    let ablationStageRuns = 0;
    const staleAblations = [];
    for (const variant of ABLATIONS) {
      const folder = ablationFolder(task, variant.name);
      if (!existsSync(join(folder, "results.json"))) continue;
      const runs = await loadComparisonRuns(folder);
      // A choice that moved since the ablation stage ran (a new search, another option set) leaves
      // these runs at settings Table 2 no longer describes.
      const expected = ablationSettings(task, variant);
      if (runs.some((run) => differingKeys(run.config, expected).length > 0)) {
        staleAblations.push(`${variant.label} (now ${expected.join(", ")})`);
        continue;
      }
      ablationRuns.push(...relabel(runs, variant.label));
      ablationStageRuns += runs.length;
    }
    if (staleAblations.length > 0) {
      ablationRuns.length = 0;
      ablationStageRuns = 0;
      lines.push(
        "### Ablation (the paper's Table 2)",
        "",
        `Left out: the ablation runs were made at other settings than the current choices for ${staleAblations.join("; ")}. Run the ablation stage again.`,
        "",
      );
    }
    // Without the ablation stage the Table 2 rows would be GRPO and IB-TPO alone: no table then,
    // and the sampler table reads the test runs of the algorithms Table 2 takes from the test
    // stage (GRPO, IB-TPO, TreeRL), every test seed.
    const samplerRuns =
      ablationStageRuns > 0
        ? ablationRuns
        : (testResults?.runs ?? []).filter(
            (run) => run.config.task === task && Object.hasOwn(TABLE_2_TEST_LABELS, run.config.algorithm),
          );
    if (ablationStageRuns > 0) {
      lines.push(`### Ablation (the paper's Table 2), test split, seeds ${ablationSeeds.join(", ")}`, "");
      lines.push(
        "| variant | sampler | mean@k | mean@k minus GRPO (paired) | IB-TPO's advantages minus GRPO's on the same sampler (paired) |",
        "| --- | --- | --- | --- | --- |",
      );
      const paired = new Map(pairedDifferences(ablationRuns, BASELINE, "meanAtK").map((row) => [row.algorithm, row]));
      const samplerOf = (label) =>
        ablationRuns.find((run) => run.config.algorithm === label)?.config.samplerConfig?.kind;
      const labels = [...new Set(ablationRuns.map((run) => run.config.algorithm))];
      // The paper's question "do the IB advantages help?" asked on one sampler: an IB-TPO row against
      // the row that trains GRPO's advantages on the same sampler, paired by seed.
      const sameSamplerDifference = (label) => {
        if (TABLE_2_ADVANTAGES.get(label) !== "ib-tpo") return undefined;
        const grpoLabel = labels.find(
          (other) => TABLE_2_ADVANTAGES.get(other) === BASELINE && samplerOf(other) === samplerOf(label),
        );
        if (grpoLabel === undefined) return undefined;
        const runs = ablationRuns.filter((run) => run.config.algorithm === label || run.config.algorithm === grpoLabel);
        return pairedDifferences(runs, grpoLabel, "meanAtK").find((row) => row.algorithm === label);
      };
      for (const label of labels) {
        const runs = ablationRuns.filter((run) => run.config.algorithm === label);
        const meanAtK = meanConfidenceInterval(runs.map((run) => run.evaluation.meanAtK));
        const difference = paired.get(label);
        const sameSampler = sameSamplerDifference(label);
        lines.push(
          `| ${label} | ${samplerOf(label) ?? "-"} | ${cell(meanAtK)} | ${difference === undefined ? "-" : differenceCell(difference.interval)} | ${sameSampler === undefined ? "-" : differenceCell(sameSampler.interval)} |`,
        );
      }
      lines.push("");
    }
    const onePolicy = testResults === null ? null : samplersAtOnePolicy(task, testResults.runs);
    if (samplerRuns.length > 0) {
      lines.push(
        `### Samplers at equal tokens (the paper's Table 3), mean over the training steps of the ${ablationStageRuns > 0 ? "runs above" : "test runs"}`,
        "",
        `Generated tokens / s is the trainer's own rate (generated tokens over sampling seconds), with ${args.jobs} runs sharing the machine's cores.`,
        "",
      );
      lines.push(
        "| sampler | runs | trajectories / 1k tokens | Eff-Rate | Avg-Rate | generated tokens / s |",
        "| --- | --- | --- | --- | --- | --- |",
      );
      const bySampler = new Map();
      for (const run of samplerRuns) {
        const sampler = run.config.samplerConfig?.kind ?? "unknown";
        bySampler.set(sampler, [...(bySampler.get(sampler) ?? []), run]);
      }
      for (const [sampler, runs] of bySampler) {
        const column = (metric) => {
          const values = runs.map((run) => stepMean(run, metric)).filter((value) => value !== null);
          return values.length === runs.length && values.length > 0
            ? cell(meanConfidenceInterval(values), DIGITS_OF_STEP_METRIC[metric] ?? 3)
            : "-";
        };
        lines.push(
          `| ${sampler} | ${runs.length} | ${column("trajectoriesPer1kTokens")} | ${column("effRate")} | ${column("avgRate")} | ${column("tokensPerSecond")} |`,
        );
      }
      lines.push(
        "",
        `Each row is seen on the policy its own runs trained${onePolicy === null ? "." : "; the table below compares the samplers on one policy."}`,
        "",
      );
    }
    if (onePolicy !== null) {
      lines.push(
        `### Samplers at one policy (the paper's Table 3 as the paper measures it), the final checkpoints of the ${onePolicy.policies} GRPO test runs`,
        "",
        `Every sampler draws the same ${ONE_POLICY_BATCHES} batches of training prompts from each policy at the runs' budget and sampling settings (\`node --import tsx ${SAMPLER_BENCH} --policies ...\`; the whole command and its figures are in \`${relative(args.out, join(testFolder(task), ONE_POLICY_FILE))}\`): ${onePolicy.machine}`,
        "",
        onePolicy.title,
        "",
        ...onePolicy.table,
        "",
      );
    }
  }
  mkdirSync(args.out, { recursive: true });
  const file = join(args.out, "PROTOCOL.md");
  writeFileSync(`${file}.tmp`, `${lines.join("\n")}\n`);
  renameSync(`${file}.tmp`, file);
  console.log(`wrote ${file}`);
}
