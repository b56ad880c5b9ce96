// Equal-budget comparison of the samplers on the reference policy: trajectories per 1k generated
// tokens, Eff-Rate and IB-Score, for both length models of the reference policy.
// Run: pnpm --filter @ibtpo/tree-sampler bench
import { cpus } from "node:os";
import { type BatchSample, createSampler, type SamplerConfig, sampleBatch } from "../src/index.js";
import { createReferencePolicy, createReferenceTask, type ReferenceLengthModel } from "../src/testing.js";

const PROMPTS = 32;
const MAX_RESPONSE_LENGTH = 128;
const SEEDS = [1, 2, 3];
const BUDGETS = [192, 512, 2048];

const samplers: { label: string; config: SamplerConfig }[] = [
  { label: "chains (G=inf, 8/iter)", config: { kind: "chains", perIteration: 8 } },
  { label: "random-tree B0=4 K=1 B=1", config: { kind: "random-tree" } },
  { label: "fixed-width-tree B0=4 w=2", config: { kind: "fixed-width-tree" } },
  { label: "entropy-tree M=2 N=2 T=2", config: { kind: "entropy-tree" } },
  { label: "ib-tree J B0=4 K=1 B=1", config: { kind: "ib-tree" } },
  {
    label: "ib-tree shannon-opt. 1,2,2",
    config: {
      kind: "ib-tree",
      branchScore: "shannon-optimistic",
      beta: 1,
      initialChains: 1,
      nodesPerRound: 2,
      branches: 2,
    },
  },
];

interface Row {
  trajectories: number;
  complete: number;
  tokens: number;
  effRate: number;
  reward: number;
  distinct: number;
  ib: number;
  seconds: number;
  /** Over trajectories sampled after the first iteration: tokens generated, and whole response length. */
  branchGenerated: number;
  branchLength: number;
  branches: number;
}

async function run(model: ReferenceLengthModel, budget: number, config: SamplerConfig): Promise<Row> {
  const totals: Row = {
    trajectories: 0,
    complete: 0,
    tokens: 0,
    effRate: 0,
    reward: 0,
    distinct: 0,
    ib: 0,
    seconds: 0,
    branchGenerated: 0,
    branchLength: 0,
    branches: 0,
  };
  for (const seed of SEEDS) {
    const policy = createReferencePolicy({ seed, lengthModel: model });
    const task = createReferenceTask({ prompts: PROMPTS, seed });
    const start = process.hrtime.bigint();
    const batch: BatchSample = await sampleBatch(task.prompts, policy, {
      sampler: createSampler(config),
      budget,
      maxResponseLength: MAX_RESPONSE_LENGTH,
      seed,
      reward: task.reward,
      answer: task.answer,
    });
    totals.seconds += Number(process.hrtime.bigint() - start) / 1e9;
    const s = batch.statistics;
    totals.trajectories += s.trajectories;
    totals.complete += s.completeTrajectories;
    totals.tokens += s.generatedTokens;
    totals.effRate += s.effRate / SEEDS.length;
    totals.reward += s.meanReward / SEEDS.length;
    totals.distinct += s.meanDistinctAnswers / SEEDS.length;
    totals.ib += (s.ibScore.ibScore ?? Number.NaN) / SEEDS.length;
    for (const trajectory of batch.samples.flatMap((sample) => sample.trajectories)) {
      if (trajectory.iteration === 0) continue;
      totals.branches++;
      totals.branchGenerated += trajectory.generatedTokens;
      totals.branchLength += trajectory.tokens.length;
    }
  }
  return totals;
}

const fixed = (value: number, digits: number, width: number) => value.toFixed(digits).padStart(width);

console.log(
  `machine: ${cpus()[0]?.model ?? "unknown"} x${cpus().length}, node ${process.version} (shared machine: times are noisy)`,
);
console.log(
  `reference policy, ${PROMPTS} prompts x seeds ${SEEDS.join(",")}, max response ${MAX_RESPONSE_LENGTH} tokens; figures summed (trajectories, tokens) or averaged over seeds`,
);
for (const model of ["progressive", "geometric"] as const) {
  for (const budget of BUDGETS) {
    console.log(`\n== length model ${model}, budget B = ${budget} generated tokens per prompt ==`);
    console.log(
      `${"sampler".padEnd(26)} ${"traj".padStart(6)} ${"complete".padStart(8)} ${"tokens".padStart(8)} ${"traj/1k".padStart(8)} ${"x chains".padStart(8)} ${"cmpl x".padStart(7)} ${"Eff-Rate".padStart(8)} ${"reward".padStart(6)} ${"answers".padStart(7)} ${"IB".padStart(6)} ${"gen/br".padStart(6)} ${"len/br".padStart(6)} ${"s".padStart(5)}`,
    );
    let baseline: Row | undefined;
    for (const { label, config } of samplers) {
      const row = await run(model, budget, config);
      baseline ??= row;
      console.log(
        `${label.padEnd(26)} ${fixed(row.trajectories, 0, 6)} ${fixed(row.complete, 0, 8)} ${fixed(row.tokens, 0, 8)} ${fixed((row.trajectories / row.tokens) * 1000, 1, 8)} ${fixed(row.trajectories / baseline.trajectories, 2, 8)} ${fixed(row.complete / baseline.complete, 2, 7)} ${fixed(row.effRate, 3, 8)} ${fixed(row.reward, 3, 6)} ${fixed(row.distinct, 2, 7)} ${fixed(row.ib, 3, 6)} ${fixed(row.branchGenerated / row.branches, 1, 6)} ${fixed(row.branchLength / row.branches, 1, 6)} ${fixed(row.seconds, 1, 5)}`,
      );
    }
  }
}
console.log(
  "\ntraj = all trajectories (truncated ones included, reward 0); complete = ended with eos; 'x chains' and 'cmpl x' are ratios to the chains row;\n" +
    "gen/br and len/br = mean generated tokens and mean response length of the responses sampled after the first iteration. Target: ib-tree >= 1.50x chains.",
);
