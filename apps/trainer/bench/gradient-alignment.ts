// Gradient alignment (docs/METHOD.md section 8): for each estimator and option set, the cosine
// between one batch's policy gradient and a reference gradient of E[reward] (i.i.d. chains at
// `--reference-factor` times the budget on the same prompts, Dr.GRPO advantages, token-sum
// aggregation), pooled over batches from two checkpoints, with its 95% t interval. Batches are
// sampled and turned into training rows by the trainer's own RL step (`sampleStep`), and the
// gradient is that of the trainer's loss at ratio 1 (KL and entropy terms off: the surrogate
// alone). Every variant sees the same prompts; the reference draws its own responses.
//   npx -y pnpm@10.34.9 --filter @ibtpo/trainer bench:alignment -- [--task countdown --batches 16 --out a.json]
// Options: [--task NAME (a built-in task)] [--base checkpoint | --checkpoints a,b]
//   [--derive-steps 8] [--batches 16] [--prompts 8] [--budget 160] [--reference-factor 10] [--seed 1]
//   [--variant name:key=value,...]... [--no-defaults] [--out results.json] [--markdown results.md]
import { cpus } from "node:os";
import { resolve } from "node:path";
import {
  BUILTIN_TASK_NAMES,
  type BuiltinTaskName,
  formatMeanInterval,
  type MeanWithInterval,
} from "@ibtpo/bench-harness";
import { type LoadedCheckpoint, loadCheckpoint, selectBackend } from "@ibtpo/policy-tfjs";
import { deriveSeedSplitMix32 as deriveSeed } from "@ibtpo/random";
import type { TrainingBatch } from "@ibtpo/tpo-loss";
import * as tf from "@tensorflow/tfjs";
import { integerOption, parseScriptArguments, scriptArguments, scriptFailure } from "../../../scripts/command-line.mjs";
import { ConfigError } from "../src/config/config-error.js";
import { type ConfigOverride, loadConfig } from "../src/config/load-config.js";
import { type TrainConfig, trainConfigSchema } from "../src/config/train-config.js";
import { writeFileAtomic, writeJsonAtomic } from "../src/runtime/atomic-file.js";
import { resolveCheckpoint } from "../src/runtime/resolve-checkpoint.js";
import { createTask } from "../src/runtime/task-setup.js";
import { loss } from "../src/train/policy-loss-module.js";
import { policyLossMicroBatches } from "../src/train/policy-update.js";
import { resolveAlgorithm } from "../src/train/resolve-algorithm.js";
import { buildRlContext, type RlContext } from "../src/train/rl-context.js";
import { rlStep, sampleStep } from "../src/train/rl-step.js";
import { gradientCosine, type PooledCosine, pairedCosineDifference, poolCosines } from "./alignment-pooling.js";
import { cpuModel } from "./cpu-model.js";

const repositoryRoot = new URL("../../../", import.meta.url).pathname;

/** A command-line argument as a POSIX shell reads it back: quoted when it holds anything but plain characters. */
const shellWord = (argument: string) =>
  /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replaceAll("'", "'\\''")}'`;

/** An estimator with its options: config overrides over the trainer's defaults. */
interface Variant {
  readonly name: string;
  readonly overrides: readonly ConfigOverride[];
}

/** The paper's ablation rows that need no extra sampler (its Table 2), plus TreeRL. */
const DEFAULT_VARIANTS: readonly Variant[] = [
  { name: "grpo (chains)", overrides: [{ path: "algorithm", value: "grpo" }] },
  { name: "ib-tpo (ib-tree, paper defaults)", overrides: [{ path: "algorithm", value: "ib-tpo" }] },
  {
    name: "ib-tpo advantages on chains",
    overrides: [
      { path: "algorithm", value: "ib-tpo" },
      { path: "sampler.kind", value: "chains" },
    ],
  },
  {
    name: "grpo advantages on ib-tree",
    overrides: [
      { path: "algorithm", value: "grpo" },
      { path: "sampler.kind", value: "ib-tree" },
    ],
  },
  { name: "treerl (entropy-tree)", overrides: [{ path: "algorithm", value: "treerl" }] },
];

/** Offsets of the seed streams: checkpoint seeds, the derived checkpoint's RL run, reference draws. */
const CHECKPOINT_STREAM = 0xa1_000;
const DERIVE_STREAM = 0xa2_000;
const REFERENCE_SAMPLING_STREAM = 0x7e_000_000;

const fail: (message: string) => never = scriptFailure(import.meta.url);

/** `name:key=value,key=value` (values read as YAML scalars, keys as the train config's dotted keys). */
function parseVariant(text: string): Variant {
  const colon = text.indexOf(":");
  if (colon <= 0) fail(`--variant expects name:key=value,..., got "${text}"`);
  const overrides = text
    .slice(colon + 1)
    .split(",")
    .filter((part) => part.trim() !== "")
    .map((part) => {
      const equals = part.indexOf("=");
      if (equals <= 0) fail(`--variant ${text.slice(0, colon)}: "${part}" is not key=value`);
      const raw = part.slice(equals + 1).trim();
      const number = Number(raw);
      const value =
        raw === "true" ? true : raw === "false" ? false : raw !== "" && !Number.isNaN(number) ? number : raw;
      return { path: part.slice(0, equals).trim(), value };
    });
  return { name: text.slice(0, colon), overrides };
}

const { values } = parseScriptArguments(import.meta.url, {
  options: {
    task: { type: "string", default: "countdown" },
    base: { type: "string" },
    checkpoints: { type: "string" },
    "derive-steps": { type: "string", default: "8" },
    batches: { type: "string", default: "16" },
    prompts: { type: "string", default: "8" },
    budget: { type: "string", default: "160" },
    "reference-factor": { type: "string", default: "10" },
    seed: { type: "string", default: "1" },
    variant: { type: "string", multiple: true, default: [] },
    "no-defaults": { type: "boolean", default: false },
    out: { type: "string" },
    markdown: { type: "string" },
  },
});
const task = values.task;
if (!(BUILTIN_TASK_NAMES as readonly string[]).includes(task))
  fail(`--task must be one of ${BUILTIN_TASK_NAMES.join(", ")}, got "${task}"`);
const batches = integerOption(import.meta.url, "--batches", values.batches);
const prompts = integerOption(import.meta.url, "--prompts", values.prompts);
const budget = integerOption(import.meta.url, "--budget", values.budget);
const referenceFactor = integerOption(import.meta.url, "--reference-factor", values["reference-factor"]);
const deriveSteps = integerOption(import.meta.url, "--derive-steps", values["derive-steps"]);
const seed = integerOption(import.meta.url, "--seed", values.seed, 0);
const variants = [...(values["no-defaults"] ? [] : DEFAULT_VARIANTS), ...values.variant.map(parseVariant)];
if (variants.length === 0) fail("no variant to measure (--no-defaults without --variant)");
const names = new Set<string>();
for (const variant of variants) {
  if (names.has(variant.name)) fail(`--variant ${variant.name}: the name is already taken`);
  names.add(variant.name);
}

// Checkpoints: the given ones, or a base (the task's shipped one unless --base) and the base after a
// few GRPO steps.
if (values.base !== undefined && values.checkpoints !== undefined)
  fail("--base and --checkpoints exclude each other (--base derives its second checkpoint)");
const givenCheckpoints = values.checkpoints
  ?.split(",")
  .map((path) => path.trim())
  .filter((path) => path !== "");
const checkpointPaths = givenCheckpoints ?? [
  values.base === undefined ? resolve(repositoryRoot, `checkpoints/${task}-base`) : resolve(values.base),
];
const checkpointCount = givenCheckpoints === undefined ? 2 : checkpointPaths.length;
const batchesPerCheckpoint = Math.ceil(batches / checkpointCount);

/** A train config for this run, its algorithm resolved once to check it; errors name the variant and the key. */
async function configFor(label: string, init: string, checkpointSeed: number, overrides: readonly ConfigOverride[]) {
  try {
    const config = await loadConfig(trainConfigSchema, undefined, [
      { path: "task", value: task },
      { path: "init", value: init },
      { path: "seed", value: checkpointSeed },
      { path: "promptsPerStep", value: prompts },
      { path: "budget", value: budget },
      ...overrides,
    ]);
    resolveAlgorithm(config);
    return config;
  } catch (error) {
    if (error instanceof ConfigError) fail(`${label}: ${error.message}`);
    throw error;
  }
}

/** The surrogate alone: no KL or entropy term, so the gradient is -sum A grad log pi. */
const SURROGATE_ONLY: readonly ConfigOverride[] = [
  { path: "loss.klCoefficient", value: 0 },
  { path: "loss.entropyCoefficient", value: 0 },
];

// Every variant's options are checked before any model is loaded.
for (const variant of variants) {
  await configFor(`variant ${variant.name}`, checkpointPaths[0]!, seed, [...variant.overrides, ...SURROGATE_ONLY]);
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const backend = await selectBackend({ log: () => {} });

async function contextFor(config: TrainConfig, loaded: LoadedCheckpoint): Promise<RlContext> {
  const checkpointTask = createTask(task as BuiltinTaskName, (await resolveCheckpoint(config.init)).taskOptions);
  return buildRlContext(config, resolveAlgorithm(config), checkpointTask, loaded, { resume: false });
}

/**
 * The gradient of the trainer's loss on a batch at ratio 1, flattened over all parameters in
 * layout order: the micro-batch gradients weighted as the trainer weights them.
 */
async function surrogateGradient(context: RlContext, batch: TrainingBatch): Promise<Float64Array> {
  const inputs = context.update;
  const variables = inputs.model.variables();
  const gradient = new Float64Array(variables.reduce((sum, variable) => sum + variable.size, 0));
  if (batch.trainedTokens === 0) return gradient;
  const { microBatches, weights } = await policyLossMicroBatches(inputs, batch);
  microBatches.forEach((chunk, chunkIndex) => {
    const { value, grads } = tf.variableGrads(() => loss(inputs.model, chunk).loss, variables);
    let offset = 0;
    for (const variable of variables) {
      const part = grads[variable.name];
      if (part !== undefined) {
        const data = part.dataSync();
        const weight = weights[chunkIndex]!;
        for (let index = 0; index < data.length; index++) gradient[offset + index]! += weight * data[index]!;
      }
      offset += variable.size;
    }
    tf.dispose([value, grads]);
  });
  return gradient;
}

interface VariantTally {
  cosines: number[];
  zeroGradients: number;
  trajectories: number;
  generatedTokens: number;
}
const tallies = new Map<string, VariantTally>(
  variants.map((variant) => [variant.name, { cosines: [], zeroGradients: 0, trajectories: 0, generatedTokens: 0 }]),
);
const checkpointsUsed: CheckpointEntry[] = [];
let referenceZeroBatches = 0;
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const isZero = (vector: Float64Array) => vector.every((value) => value === 0);

interface CheckpointEntry {
  readonly label: string;
  readonly path: string;
  readonly derivedBy: string | null;
  /** Batches measured so far (a batch whose reference gradient is zero is skipped). */
  batches: number;
}

/** Measure every variant on `batchesPerCheckpoint` batches of one checkpoint's policy. */
async function measureCheckpoint(entry: CheckpointEntry, loaded: LoadedCheckpoint, index: number): Promise<void> {
  const { label, path: init } = entry;
  checkpointsUsed.push(entry);
  const checkpointSeed = deriveSeed(seed, CHECKPOINT_STREAM + index);
  const reference = await contextFor(
    await configFor("reference", init, checkpointSeed, [
      { path: "algorithm", value: "dr-grpo" },
      { path: "budget", value: budget * referenceFactor },
      ...SURROGATE_ONLY,
    ]),
    loaded,
  );
  const contexts = new Map<string, RlContext>();
  for (const variant of variants) {
    contexts.set(
      variant.name,
      await contextFor(
        await configFor(`variant ${variant.name}`, init, checkpointSeed, [...variant.overrides, ...SURROGATE_ONLY]),
        loaded,
      ),
    );
  }
  for (let batch = 0; batch < batchesPerCheckpoint; batch++) {
    const referenceSample = await sampleStep(reference, batch, (runSeed, step) =>
      deriveSeed(runSeed, REFERENCE_SAMPLING_STREAM + step),
    );
    const referenceGradient = await surrogateGradient(reference, referenceSample.trainingBatch);
    if (isZero(referenceGradient)) {
      referenceZeroBatches++;
      log(`[${elapsed()}] ${label} batch ${batch + 1}: reference gradient is zero (no reward variance), skipped`);
      continue;
    }
    const line: string[] = [];
    for (const variant of variants) {
      const context = contexts.get(variant.name)!;
      const sample = await sampleStep(context, batch);
      const gradient = await surrogateGradient(context, sample.trainingBatch);
      const tally = tallies.get(variant.name)!;
      const cosine = gradientCosine(gradient, referenceGradient);
      tally.cosines.push(cosine);
      if (isZero(gradient)) tally.zeroGradients++;
      tally.trajectories += sample.batch.statistics.trajectories;
      tally.generatedTokens += sample.batch.statistics.generatedTokens;
      line.push(`${variant.name} ${cosine.toFixed(3)}`);
    }
    entry.batches++;
    log(
      `[${elapsed()}] ${label} batch ${batch + 1}/${batchesPerCheckpoint}: ${line.join(", ")}; live tensors ${tf.memory().numTensors}`,
    );
    await report(false);
  }
  for (const context of [reference, ...contexts.values()]) context.update.optimizer.dispose();
}

log(
  `gradient alignment on ${task}: ${variants.length} variants, ${batchesPerCheckpoint} batches x ${checkpointCount} checkpoints, ${prompts} prompts, budget ${budget} (reference ${budget * referenceFactor}); ${cpuModel()}, tfjs ${backend.choice}`,
);
if (givenCheckpoints === undefined) {
  const base = checkpointPaths[0]!;
  const loaded = await loadCheckpoint(base);
  await measureCheckpoint({ label: "base", path: base, derivedBy: null, batches: 0 }, loaded, 0);
  // The second checkpoint: the base after a few GRPO steps (the trainer's defaults), in memory.
  // Without the preset's KL term, as the checkpoints of the committed figures were derived.
  const deriveConfig = await configFor("derived checkpoint", base, deriveSeed(seed, DERIVE_STREAM), [
    { path: "algorithm", value: "grpo" },
    { path: "loss.klCoefficient", value: 0 },
  ]);
  const training = await contextFor(deriveConfig, loaded);
  for (let step = 0; step < deriveSteps; step++) {
    const metrics = await rlStep(training, step);
    log(
      `[${elapsed()}] deriving checkpoint: grpo step ${step + 1}/${deriveSteps}, accuracy ${metrics.accuracy.toFixed(3)}`,
    );
  }
  training.update.optimizer.dispose();
  training.update.reference?.dispose();
  const derivedBy = `${deriveSteps} grpo steps (learning rate ${deriveConfig.optimizer.learningRate}, ${prompts} prompts, budget ${budget}) from the base`;
  await measureCheckpoint({ label: `base + ${deriveSteps} grpo steps`, path: base, derivedBy, batches: 0 }, loaded, 1);
  loaded.model.dispose();
} else {
  for (const [index, path] of checkpointPaths.entries()) {
    const loaded = await loadCheckpoint(path);
    await measureCheckpoint({ label: path, path, derivedBy: null, batches: 0 }, loaded, index);
    loaded.model.dispose();
  }
}

process.stdout.write(await report(true));

/**
 * The table and the documents of what has been measured so far; written after every batch, so
 * an interrupted run leaves its partial result (the batch counts say how far it got).
 */
async function report(finished: boolean): Promise<string> {
  const firstCosines = tallies.get(variants[0]!.name)!.cosines;
  const results = variants.map((variant, index) => {
    const tally = tallies.get(variant.name)!;
    const pooled: PooledCosine | null =
      tally.cosines.length === 0 ? null : poolCosines(tally.cosines, tally.zeroGradients);
    const count = Math.max(tally.cosines.length, 1);
    return {
      name: variant.name,
      overrides: Object.fromEntries(variant.overrides.map((override) => [override.path, override.value])),
      pooled,
      differenceToFirst:
        index === 0 || tally.cosines.length === 0 ? null : pairedCosineDifference(tally.cosines, firstCosines),
      cosines: tally.cosines,
      trajectoriesPerPrompt: tally.trajectories / count / prompts,
      generatedTokensPerPrompt: tally.generatedTokens / count / prompts,
    };
  });

  const format = (value: number | null | undefined) =>
    value === null || value === undefined ? "n/a" : value.toFixed(3);
  // Only the bounds for the pooled cosine, whose mean has a column of its own; a difference is
  // signed throughout, as every other paired difference in the reports.
  const interval = (value: MeanWithInterval | null) => formatMeanInterval(value, { boundsOnly: true, missing: "n/a" });
  const difference = (value: MeanWithInterval | null) => formatMeanInterval(value, { signed: true, missing: "n/a" });
  const table = [
    `| variant | pooled cosine | 95% interval | paired difference to ${variants[0]!.name} [95% interval] | batches | zero-gradient batches | trajectories / prompt | generated tokens / prompt |`,
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...results.map(
      (result) =>
        `| ${result.name} | ${format(result.pooled?.mean)} | ${interval(result.pooled)} | ${difference(result.differenceToFirst)} | ${result.pooled?.n ?? 0} | ${result.pooled?.zeroGradientBatches ?? 0} | ${result.trajectoriesPerPrompt.toFixed(2)} | ${result.generatedTokensPerPrompt.toFixed(1)} |`,
    ),
  ].join("\n");
  const machine = `${cpuModel()} x${cpus().length}, node ${process.version}, tfjs backend ${backend.choice}`;
  const setting = `${task}; checkpoints: ${checkpointsUsed.map((checkpoint) => `${checkpoint.label} (${checkpoint.batches} batches)`).join(", ")}; ${prompts} prompts per batch, budget ${budget} generated tokens per prompt, reference ${referenceFactor}x (dr-grpo on chains, token-sum); seed ${seed}; ${referenceZeroBatches} batches skipped (zero reference gradient); ${elapsed()}`;

  const command =
    `node --import tsx apps/trainer/bench/gradient-alignment.ts ${scriptArguments().map(shellWord).join(" ")}`.trim();
  const document = {
    command,
    machine: { cpu: cpuModel(), cores: cpus().length, node: process.version, backend: backend.choice },
    task,
    finished,
    seed,
    promptsPerBatch: prompts,
    budget,
    referenceFactor,
    checkpoints: checkpointsUsed,
    referenceZeroBatches,
    seconds: (performance.now() - started) / 1000,
    variants: results,
  };
  if (values.out !== undefined) await writeJsonAtomic(values.out, document);
  if (values.markdown !== undefined) {
    await writeFileAtomic(
      values.markdown,
      `# Gradient alignment on ${task}\n\nCommand (from the repository root):\n\n\`\`\`sh\n${command}\n\`\`\`\n\n${setting}${finished ? "" : " (partial: the run had not finished)"}.\n\nMachine: ${machine}.\n\n${table}\n`,
    );
  }
  return `${setting}${finished ? "" : " (partial)"}\n${machine}\n\n${table}\n`;
}
