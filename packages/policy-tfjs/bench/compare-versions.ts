/**
 * This version of the package against another copy of its sources, in one process, interleaved:
 * the reference model's training step (forward, backward, clipping, Adam on 32 x 64 tokens) and
 * KV-cache decode step (32 rows, 62 tokens), timed by process CPU time in alternating order
 * (A B, B A, ...), so that a shared machine's load falls on both alike. Prints each version's
 * best and median as ratios to the floor (FLOPs over this machine's 2-D matMul rate by CPU time),
 * the median of the per-round ratios B / A, and how far the two versions' numbers differ (losses,
 * weights after the steps, drawn tokens, log-probs).
 *
 *   git archive <commit> packages/policy-tfjs/src | tar -x -C /tmp/before --strip-components=2
 *   ln -s "$PWD/node_modules" /tmp/before/node_modules
 *   node --import tsx bench/compare-versions.ts /tmp/before/src/index.ts [rounds (12)] [train|decode|both] [--per-round]
 */
import os from "node:os";
import { resolve } from "node:path";
import { integerOption, parseScriptArguments, scriptFailure } from "../../../scripts/command-line.mjs";
import * as current from "../src/index.js";
import { cpuModel, decodeFlops, measureMatMulRate, trainingStepFlops } from "./flop-floor.js";

type Package = typeof current;
const {
  values: { "per-round": perRound },
  positionals: [otherPath, roundsArgument, workloadsArgument],
} = parseScriptArguments(import.meta.url, {
  allowPositionals: true,
  options: { "per-round": { type: "boolean", default: false } },
});
const fail: (message: string) => never = scriptFailure(import.meta.url);
if (otherPath === undefined) fail("give the other version's src/index.ts (--help shows the usage)");
const rounds = integerOption(import.meta.url, "rounds", roundsArgument ?? "12");
const workloads = workloadsArgument ?? "both";
if (!["train", "decode", "both"].includes(workloads)) fail(`the workload is train, decode or both, got "${workloads}"`);
const other = (await import(resolve(otherPath)).catch((error: Error) =>
  fail(`cannot load ${otherPath}: ${error.message}`),
)) as Package;
const reference = { vocabSize: 64, contextLength: 64, modelDimension: 128, layers: 4, heads: 4 };
const batch = 32;
const decodeSteps = 62;
const versions: [string, Package][] = [
  ["A (other)", other],
  ["B (this)", current],
];

await current.selectBackend({ backend: "wasm", log: () => {} });
const load = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(", ");
console.log(`machine: ${cpuModel()}, ${os.cpus().length} cores, Node ${process.version}; load average ${load()}`);
const rate = measureMatMulRate(batch * (reference.contextLength - 1), reference.modelDimension);
console.log(`2-D matMul rate by CPU time: ${rate.cpu.toFixed(1)} GFLOP/s`);

async function cpuMilliseconds(run: () => unknown): Promise<number> {
  const start = process.cpuUsage();
  await run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Runs `step(version)` `rounds` times per version, alternating which goes first. */
async function interleaved(step: (version: number) => Promise<number>): Promise<number[][]> {
  const times: number[][] = [[], []];
  for (let round = 0; round < rounds; round++) {
    for (const version of round % 2 === 0 ? [0, 1] : [1, 0]) times[version]!.push(await step(version));
  }
  return times;
}

function summary(label: string, flops: number, times: number[][]): string {
  const floor = flops / (rate.cpu * 1e6);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[(values.length - 1) >> 1]!;
  const describe = (name: string, values: number[]) =>
    `${name} best ${Math.min(...values).toFixed(2)} ms = ${(Math.min(...values) / floor).toFixed(2)}x, median ${median(values).toFixed(2)} ms = ${(median(values) / floor).toFixed(2)}x`;
  const [a, b] = times as [number[], number[]];
  const ratios = a.map((value, round) => b[round]! / value);
  if (perRound)
    console.log(
      `${label}, A / B ms per round: ${a.map((value, round) => `${value.toFixed(1)}/${b[round]!.toFixed(1)}`).join(" ")}`,
    );
  return `${label}: floor ${floor.toFixed(2)} ms; ${describe("A", a)}; ${describe("B", b)}; B / A per round, median ${median(ratios).toFixed(3)}`;
}

if (workloads !== "decode") {
  const rows = Array.from({ length: batch }, (_, row) => ({
    tokens: Array.from({ length: reference.contextLength }, (_, position) => 3 + ((row * 7 + position * 3) % 60)),
    promptLength: 8,
  }));
  const runs = versions.map(([, version]) => {
    const model = version.TransformerModel.create(reference, { seed: 0 });
    const optimizer = new version.PolicyOptimizer(model, { learningRate: 1e-4 });
    return { model, step: () => optimizer.trainStep([rows], (microBatch) => version.sftLoss(model, microBatch)).loss };
  });
  for (const run of runs) run.step();
  const losses: number[][] = [[], []];
  const times = await interleaved((version) =>
    cpuMilliseconds(() => {
      losses[version]!.push(runs[version]!.step());
    }),
  );
  const largestLossDifference = Math.max(...losses[0]!.map((loss, step) => Math.abs(loss - losses[1]![step]!)));
  const flops = trainingStepFlops(reference, { rows: batch, tokens: reference.contextLength, promptLength: 8 });
  console.log(summary("training step by CPU time", flops, times));
  const [weightsA, weightsB] = runs.map((run) => run.model.exportWeights()) as [
    current.NamedWeight[],
    current.NamedWeight[],
  ];
  let largestWeightDifference = 0;
  weightsA.forEach((weight, index) => {
    weight.data.forEach((value, position) => {
      largestWeightDifference = Math.max(largestWeightDifference, Math.abs(value - weightsB[index]!.data[position]!));
    });
  });
  console.log(
    `after ${rounds + 1} steps each: largest loss difference ${largestLossDifference.toExponential(2)}, largest weight difference ${largestWeightDifference.toExponential(2)}`,
  );
}

if (workloads !== "train") {
  const requests = Array.from({ length: batch }, (_, row) => ({
    prefix: [1, 3 + (row % 60)],
    settings: { maxTokens: decodeSteps, temperature: 1, seed: row },
  }));
  const policies = versions.map(([, version]) => {
    const model = version.TransformerModel.create(reference, { seed: 0 });
    return new version.TfjsPolicy(model, { eosToken: -1, kvCache: true, maxBatchSize: batch, workers: 0 });
  });
  for (const policy of policies) await policy.generate(requests);
  const generations: Awaited<ReturnType<current.TfjsPolicy["generate"]>>[] = [[], []];
  const times = await interleaved(
    async (version) =>
      (await cpuMilliseconds(async () => {
        generations[version] = await policies[version]!.generate(requests);
      })) / decodeSteps,
  );
  // Every call decodes the same seeded requests, so the last calls compare the two versions.
  const [generationsA, generationsB] = generations as [(typeof generations)[0], (typeof generations)[0]];
  const mismatchedRows = generationsA.filter(
    (generation, row) => generation.tokens.join() !== generationsB[row]!.tokens.join(),
  ).length;
  let largestLogprobDifference = 0;
  generationsA.forEach((generation, row) => {
    generation.logprobs.forEach((value, position) => {
      largestLogprobDifference = Math.max(
        largestLogprobDifference,
        Math.abs(value - generationsB[row]!.logprobs[position]!),
      );
    });
  });
  const flops = decodeFlops(reference, { rows: batch, prefix: 2, steps: decodeSteps }) / decodeSteps;
  console.log(summary(`decode per token-step of ${batch} rows by CPU time`, flops, times));
  console.log(
    `rows whose tokens differ: ${mismatchedRows}; largest log-prob difference ${largestLogprobDifference.toExponential(2)}`,
  );
}
console.log(`load average at the end: ${load()}`);
