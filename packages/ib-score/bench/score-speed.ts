// Scores random trees of 10^5 and 10^6 nodes in two shapes; prints nodes/s and the time ratio.
// Run: pnpm --filter @ibtpo/ib-score bench
import { cpus } from "node:os";
import { scoreTree } from "../src/index.js";
import { randomTree, type TreeShape } from "./random-tree.js";

function medianScoreSeconds(nodes: number, shape: TreeShape, repeats: number): number {
  const tree = randomTree(nodes, 7, shape);
  scoreTree(tree); // warm-up, so the JIT has compiled the loops
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = process.hrtime.bigint();
    scoreTree(tree);
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

console.log(`machine: ${cpus()[0]?.model ?? "unknown"} x${cpus().length}, node ${process.version}`);
console.log("targets: >= 1 M nodes/s; 10^6 nodes take <= 12x the time of 10^5");
for (const shape of ["sampled", "uniform"] as const) {
  const small = medianScoreSeconds(100_000, shape, 21);
  const large = medianScoreSeconds(1_000_000, shape, 7);
  const rate = (nodes: number, seconds: number) =>
    `${(seconds * 1000).toFixed(1)} ms (${(nodes / seconds / 1e6).toFixed(2)} M nodes/s)`;
  console.log(
    `${shape.padEnd(8)} 10^5: ${rate(100_000, small)}   10^6: ${rate(1_000_000, large)}   ratio ${(large / small).toFixed(2)}`,
  );
}
