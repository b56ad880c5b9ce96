// Runs against the sources, no build needed:
//   npx -y pnpm@10.34.9 --filter @ibtpo/bench-harness example
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createCountdownTask,
  createSymbolCodec,
  createTrajectoryPolicy,
  evaluatePolicy,
  runComparison,
  sampleProblems,
  syntheticRunResult,
} from "@ibtpo/bench-harness";

// 1. A task, its disjoint splits, a problem and its verifier.
const task = createCountdownTask({ numbers: 4 });
const test = sampleProblems(task, { split: "test", count: 100, seed: 0 });
const problem = test[0];
console.log(JSON.stringify(problem.prompt), "->", JSON.stringify(task.solve(problem)));
console.log(task.verify(problem, task.solve(problem)), task.verify(problem, "1+1=2"), task.verify(problem, "hello"));

// 2. Evaluate a Policy (here the random-legal-trajectory stand-in; any Policy plus codec works).
const codec = createSymbolCodec(task.vocabulary);
const policy = createTrajectoryPolicy(task, test, codec);
const { summary } = await evaluatePolicy({
  policy,
  codec,
  problems: test,
  verifier: task,
  maxTokens: task.maxResponseSymbols + 1,
  samples: 16,
  ks: [1, 4, 16],
  onProgress: ({ phase, completed, total }) => process.stderr.write(`\r${phase} ${completed}/${total}   `),
});
process.stderr.write("\n");
console.log(summary);

// 3. A comparison grid; `run` would train and evaluate, here it returns synthetic curves.
const outputDir = await mkdtemp(join(tmpdir(), "bench-quickstart-"));
await runComparison({
  algorithms: ["grpo", "ib-tpo"],
  seeds: [1, 2, 3],
  tasks: ["countdown"],
  tokenBudget: 50_000,
  outputDir,
  title: "Synthetic demo data (not results)",
  run: async (spec) => syntheticRunResult(spec),
});
console.log(`report: ${join(outputDir, "report.html")}`);
