// Times the pure advantage code on seeded random trees. Prints figures and the CPU they ran on;
// asserts nothing.
import { readFileSync } from "node:fs";
import { grpoAdvantages, ibTpoEstimator, ibTpoStepAdvantages, trainingBatchFromTrees } from "../dist/index.js";
import { randomTree, seededRandom } from "./seeded-trees.mjs";

function time(label, repeats, work) {
  work();
  const start = process.hrtime.bigint();
  for (let repeat = 0; repeat < repeats; repeat++) work();
  const milliseconds = Number(process.hrtime.bigint() - start) / 1e6 / repeats;
  console.log(`${label}: ${milliseconds.toFixed(3)} ms`);
  return milliseconds;
}

const random = seededRandom(20261127);
const shape = { trajectories: 16, depth: 8, stepLength: 12, alphabet: 3 };
const trees = Array.from({ length: 64 }, () => randomTree(random, shape));
const nodes = trees.reduce((sum, tree) => sum + tree.size, 0);
console.log(`batch: 64 trees x 16 trajectories x 8 steps x 12 tokens, ${nodes} nodes in all (seed 20261127)`);
const cpu = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown CPU";
console.log(`machine: ${cpu}, Node ${process.version}`);
for (const ibAdvantage of ["paper", "score-function"]) {
  const perTree = time(`ibTpoStepAdvantages (${ibAdvantage}), whole batch`, 20, () => {
    for (const tree of trees) ibTpoStepAdvantages(tree, { ibAdvantage });
  });
  console.log(`  = ${(((nodes / perTree) * 1e3) / 1e6).toFixed(2)} M nodes/s`);
}
for (const tokenWeighting of ["dedup", "per-trajectory"]) {
  let trained = 0;
  time(`trainingBatchFromTrees (ib-tpo, ${tokenWeighting})`, 10, () => {
    trained = trainingBatchFromTrees(trees, ibTpoEstimator(), { tokenWeighting }).trainedTokens;
  });
  console.log(`  trained tokens: ${trained}`);
}
const rewards = Float64Array.from({ length: 64 * 16 }, () => (random() < 0.5 ? 1 : 0));
const sizes = new Int32Array(64).fill(16);
time("grpoAdvantages, 64 groups x 16", 200, () => grpoAdvantages(rewards, sizes));
