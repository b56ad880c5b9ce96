// Trajectories per 1k generated tokens and Eff-Rate of each sampler at equal budget, on a real
// tfjs policy (a base checkpoint) and task. Run from apps/trainer after `pnpm build`:
//   npx tsx bench/sampler-trajectories.ts [--checkpoint ../../checkpoints/sort-swaps-base] [--prompts 64]
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { sampleProblems } from "@ibtpo/bench-harness";
import { loadCheckpoint, selectBackend, TfjsPolicy } from "@ibtpo/policy-tfjs";
import { sampleBatch } from "@ibtpo/tree-sampler";
import { resolveCheckpoint } from "../src/runtime/resolve-checkpoint.js";
import { createTask, promptTokens } from "../src/runtime/task-setup.js";
import { samplerFor } from "../src/train/sampler-config.js";

const { values } = parseArgs({
  options: {
    checkpoint: { type: "string", default: "../../checkpoints/sort-swaps-base" },
    prompts: { type: "string", default: "64" },
    budgets: { type: "string", default: "160,512" },
  },
});
await selectBackend({ log: () => {} });
const base = await resolveCheckpoint(values.checkpoint as string);
const task = createTask(base.task as "sort-swaps", base.taskOptions);
const { model, tokenizer } = await loadCheckpoint(base.directory);
const problems = sampleProblems(task, { split: "train", count: Number(values.prompts), seed: 0 });
const prompts = problems.map((problem) => promptTokens(tokenizer, problem));
const policy = TfjsPolicy.fromTokenizer(model, tokenizer, { seed: 0 });
console.log(
  `${task.name}, ${problems.length} prompts, ${cpus()[0]?.model ?? "cpu"} x${cpus().length}, node ${process.version}`,
);
console.log("| budget | sampler | traj. / 1k tokens | vs chains | Eff-Rate | mean reward | tree IB-Score |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const budget of (values.budgets as string).split(",").map(Number)) {
  let chains = Number.NaN;
  for (const kind of ["chains", "ib-tree", "entropy-tree", "random-tree"] as const) {
    const { sampler } = samplerFor(kind === "random-tree" ? "ib-tree" : kind, kind === "random-tree" ? { kind } : {});
    const batch = await sampleBatch(prompts, policy, {
      sampler,
      budget,
      maxResponseLength: task.maxResponseSymbols + 1,
      seed: 1,
      budgetCut: "drop",
      reward: (index, tokens) => task.verify(problems[index]!, tokenizer.decode(tokens)).reward,
    });
    const { trajectoriesPer1kTokens, effRate, meanReward, ibScore } = batch.statistics;
    if (kind === "chains") chains = trajectoriesPer1kTokens;
    console.log(
      `| ${budget} | ${kind} | ${trajectoriesPer1kTokens.toFixed(1)} | ${(trajectoriesPer1kTokens / chains).toFixed(2)}x | ${effRate.toFixed(3)} | ${meanReward.toFixed(3)} | ${ibScore.ibScore?.toFixed(3) ?? "-"} |`,
    );
  }
}
