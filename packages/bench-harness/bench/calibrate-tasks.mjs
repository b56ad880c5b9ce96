// Difficulty calibration of the built-in tasks with their own random-legal-trajectory generator
// as a stand-in policy (what a small model imitates after SFT on such trajectories). Run through
// evaluatePolicy, so the figures go through the same batching, decoding and pass@k code as a
// real policy. Usage: node bench/calibrate-tasks.mjs [problems=300] [samples=16]
import { cpus } from "node:os";
import { integerOption, parseScriptArguments } from "../../../scripts/command-line.mjs";
import {
  calibrateWithRandomTrajectories,
  createBuiltinTask,
  createSymbolCodec,
  createTrajectoryPolicy,
  evaluatePolicy,
  sampleProblems,
} from "../dist/index.js";

const { positionals } = parseScriptArguments(import.meta.url, { allowPositionals: true, options: {} });
const problemCount = integerOption(import.meta.url, "problems", positionals[0] ?? "300");
const samples = integerOption(import.meta.url, "samples", positionals[1] ?? "16");
const settings = [
  ["countdown", {}],
  ["countdown", { numbers: 3 }],
  ["countdown", { numbers: 4, maxNumber: 12 }],
  ["graph-path", {}],
  ["graph-path", { nodes: 8, minDistance: 3 }],
  ["graph-path", { outDegree: 3, minDistance: 3 }],
  ["line-walk", {}],
  ["line-walk", { hops: 4 }],
  ["line-walk", { hops: 6, maxHop: 4 }],
  ["sort-swaps", {}],
  ["sort-swaps", { length: 5 }],
  ["sort-swaps", { length: 5, slack: 2 }],
];

console.log(`machine: ${cpus()[0]?.model ?? "unknown"} x${cpus().length}, node ${process.version}`);
console.log(`test split, ${problemCount} problems, ${samples} samples each, seed 0\n`);
console.log("| task | options | pass@1 | pass@16 | solver | mean symbols | max symbols | vocabulary | ms |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const [name, options] of settings) {
  const started = performance.now();
  const task = createBuiltinTask(name, options);
  const problems = sampleProblems(task, { split: "test", count: problemCount, seed: 0 });
  const codec = createSymbolCodec(task.vocabulary);
  const { summary } = await evaluatePolicy({
    policy: createTrajectoryPolicy(task, problems, codec),
    codec,
    problems,
    verifier: task,
    maxTokens: task.maxResponseSymbols + 1,
    samples,
    ks: [1, samples],
    greedy: false,
  });
  const direct = calibrateWithRandomTrajectories(task, problems, { samples });
  const ms = (performance.now() - started).toFixed(0);
  console.log(
    `| ${name} | ${JSON.stringify(task.options).replace(/"/g, "")} | ${summary.passAtK["1"].toFixed(3)} | ${summary.passAtK[String(samples)].toFixed(3)} | ${direct.solverAccuracy.toFixed(2)} | ${direct.meanSymbols.toFixed(1)} | ${direct.maxSymbols} | ${task.vocabulary.length} | ${ms} |`,
  );
}
