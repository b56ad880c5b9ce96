// The paper's Table 3 on this project's tasks: at an equal generated-token budget per prompt, on
// the tfjs policy of each shipped base checkpoint, each sampler's trajectories per 1k generated
// tokens, distinct responses per 1k generated tokens, Eff-Rate, Avg-Rate and generated tokens per second (with its ratio to chains measured in
// the same run); chains, entropy-tree and IBTree also batched continuously across prompts
// (sampleBatch's `decodeChunk`; the tfjs policy resumes draws, so these rows sample the same trees
// as the unchunked ones) and in one running decode batch (`continuousBatching`, same trees), and
// without the policy's prefix cache (every prefix encoded again, as before the cache). Each RL-step-sized batch of prompts is
// sampled by every sampler in turn, so slow drifts of a shared machine fall on all of them alike;
// tokens per CPU second of this (single-threaded) process are printed next to tokens per wall
// second, since they move less with the other load of a shared machine. After `pnpm build`:
//   npx -y pnpm@10.34.9 --filter @ibtpo/trainer bench [-- --steps 8 --prompts 8 --budget 160 --decode-chunk 8]
//   ... bench -- --only chains,ib-tree,entropy-tree      # only the rows whose label starts so
//   ... bench -- --only "ib-tree (paper J), continuous"  # a whole label: that row alone
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { type BuiltinTaskName, sampleProblems } from "@ibtpo/bench-harness";
import type { ReasoningTree } from "@ibtpo/ib-score";
import { loadCheckpoint, selectBackend, TfjsPolicy } from "@ibtpo/policy-tfjs";
import { createSampler, type SamplerConfig, sampleBatch } from "@ibtpo/tree-sampler";
import { resolveCheckpoint } from "../src/runtime/resolve-checkpoint.js";
import { createTask, promptTokens } from "../src/runtime/task-setup.js";
import { cpuModel } from "./cpu-model.js";
import { benchArguments, SAMPLER_BENCH_OPTIONS } from "./sampler-bench-options.js";

const { values } = parseArgs({
  args: benchArguments(),
  options: { ...SAMPLER_BENCH_OPTIONS, only: { type: "string" } },
});
const decodeChunk = Number(values["decode-chunk"]);

const allSamplers: {
  label: string;
  config: SamplerConfig;
  decodeChunk?: number;
  continuousBatching?: true;
  prefixCache?: false;
}[] = [
  { label: "chains", config: { kind: "chains" } },
  { label: "random-tree", config: { kind: "random-tree" } },
  { label: "fixed-width-tree", config: { kind: "fixed-width-tree" } },
  { label: "entropy-tree", config: { kind: "entropy-tree" } },
  { label: "ib-tree (paper J)", config: { kind: "ib-tree" } },
  { label: "ib-tree (paper J, minNovelty 0.5)", config: { kind: "ib-tree", minNovelty: 0.5 } },
  {
    label: "ib-tree (shannon-optimistic)",
    config: {
      kind: "ib-tree",
      branchScore: "shannon-optimistic",
      beta: 1,
      initialChains: 2,
      nodesPerRound: 2,
      branches: 2,
    },
  },
  // The same samplers batched continuously across prompts (sampleBatch's decodeChunk).
  ...(["chains", "entropy-tree", "ib-tree"] as const).map((kind) => ({
    label: `${kind === "ib-tree" ? "ib-tree (paper J)" : kind}, decodeChunk ${decodeChunk}`,
    config: { kind },
    decodeChunk,
  })),
  // The same samplers in the policy's one running decode batch (sampleBatch's continuousBatching).
  ...(["chains", "entropy-tree", "ib-tree"] as const).map((kind) => ({
    label: `${kind === "ib-tree" ? "ib-tree (paper J)" : kind}, continuous`,
    config: { kind },
    continuousBatching: true as const,
  })),
  // Every prefix encoded again in every call, as without the prefix cache.
  ...(["chains", "entropy-tree", "ib-tree"] as const).map((kind) => ({
    label: `${kind === "ib-tree" ? "ib-tree (paper J)" : kind}, no prefix cache`,
    config: { kind },
    prefixCache: false as const,
  })),
];
// The first row is the chains baseline the ratios are taken to, so it always runs.
// A whole label (which may hold a comma, "ib-tree (paper J), continuous") selects that row alone;
// otherwise each comma-separated part is a prefix.
const only = allSamplers.some(({ label }) => label === values.only) ? [values.only!] : values.only?.split(",");
const samplers = allSamplers.filter(
  ({ label }, index) => index === 0 || only === undefined || only.some((prefix) => label.startsWith(prefix)),
);

interface Totals {
  trajectories: number;
  /** Responses that differ from every other response of their prompt. */
  distinct: number;
  tokens: number;
  rewardSum: number;
  effective: number;
  prompts: number;
  seconds: number;
  cpuSeconds: number;
  calls: number;
}
/** Distinct responses of a tree: the steps some response ends at (equal responses share their nodes). */
const distinctResponses = (tree: ReasoningTree): number => {
  let count = 0;
  for (let node = 1; node < tree.size; node++) if (tree.endingCount(node) > 0) count++;
  return count;
};
const loads = () =>
  loadavg()
    .map((load) => load.toFixed(2))
    .join(" ");

const steps = Number(values.steps);
const promptsPerStep = Number(values.prompts);
const budget = Number(values.budget);
const seed = Number(values.seed);
const backend = await selectBackend({ log: () => {} });
console.log(
  `${cpuModel()} x${cpus().length}, load average ${loads()} (1, 5, 15 min), node ${process.version}, tfjs backend ${backend.choice}; ${steps} batches of ${promptsPerStep} prompts, budget ${budget} generated tokens per prompt, budgetCut drop, temperature 1`,
);
for (const taskName of (values.tasks as string).split(",")) {
  const base = await resolveCheckpoint(`${values.checkpoints}/${taskName}-base`);
  const task = createTask(base.task as BuiltinTaskName, base.taskOptions);
  const { model, tokenizer } = await loadCheckpoint(base.directory);
  const policy = TfjsPolicy.fromTokenizer(model, tokenizer, { seed: 0 });
  const problems = sampleProblems(task, { split: "train", count: steps * promptsPerStep, seed });
  const totals = samplers.map(
    (): Totals => ({
      trajectories: 0,
      distinct: 0,
      tokens: 0,
      rewardSum: 0,
      effective: 0,
      prompts: 0,
      seconds: 0,
      cpuSeconds: 0,
      calls: 0,
    }),
  );
  const run = async (
    { config, decodeChunk, continuousBatching, prefixCache }: (typeof samplers)[number],
    step: number,
  ) => {
    const stepProblems = problems.slice(step * promptsPerStep, (step + 1) * promptsPerStep);
    const longestPrompt = Math.max(...stepProblems.map((problem) => promptTokens(tokenizer, problem).length));
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const batch = await sampleBatch(
      stepProblems.map((problem) => promptTokens(tokenizer, problem)),
      policy,
      {
        sampler: createSampler(config),
        budget,
        maxResponseLength: Math.min(task.maxResponseSymbols + 1, model.config.contextLength - longestPrompt),
        budgetCut: "drop",
        ...(decodeChunk === undefined ? {} : { decodeChunk }),
        ...(continuousBatching === undefined ? {} : { continuousBatching }),
        ...(prefixCache === undefined ? {} : { prefixCache }),
        seed: seed * 1000 + step,
        reward: (index, tokens) => task.verify(stepProblems[index]!, tokenizer.decode(tokens)).reward,
      },
    );
    const cpu = process.cpuUsage(cpuStarted);
    return { batch, seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  };
  for (const sampler of samplers) await run(sampler, 0); // warm-up: kernels compiled, caches filled
  for (let step = 0; step < steps; step++) {
    for (const [index, sampler] of samplers.entries()) {
      const { batch, seconds, cpuSeconds } = await run(sampler, step);
      const total = totals[index]!;
      const statistics = batch.statistics;
      total.trajectories += statistics.trajectories;
      total.distinct += batch.samples.reduce((sum, sample) => sum + distinctResponses(sample.tree), 0);
      total.tokens += statistics.generatedTokens;
      total.rewardSum += statistics.meanReward * statistics.trajectories;
      total.effective += statistics.effRate * statistics.prompts;
      total.prompts += statistics.prompts;
      total.seconds += seconds;
      total.cpuSeconds += cpuSeconds;
      total.calls += statistics.generateCalls;
    }
  }
  const chains = totals[0]!;
  const rate = (total: Totals) => total.tokens / total.seconds;
  const cpuRate = (total: Totals) => total.tokens / total.cpuSeconds;
  console.log(`\n${task.name} (${base.directory}), ${chains.prompts} prompts; load average now ${loads()}`);
  console.log(
    "| sampler | traj. / 1k tokens | x chains | distinct / 1k tokens | x chains | Eff-Rate | Avg-Rate | tokens / s | x chains | tokens / CPU s | x chains | generate calls / batch |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const [index, { label }] of samplers.entries()) {
    const total = totals[index]!;
    const per1k = (total.trajectories / total.tokens) * 1000;
    const chainsPer1k = (chains.trajectories / chains.tokens) * 1000;
    const distinctPer1k = (total.distinct / total.tokens) * 1000;
    const chainsDistinctPer1k = (chains.distinct / chains.tokens) * 1000;
    console.log(
      `| ${label} | ${per1k.toFixed(1)} | ${(per1k / chainsPer1k).toFixed(2)} | ${distinctPer1k.toFixed(1)} | ${(distinctPer1k / chainsDistinctPer1k).toFixed(2)} | ${(total.effective / total.prompts).toFixed(3)} | ${(total.rewardSum / total.trajectories).toFixed(3)} | ${rate(total).toFixed(0)} | ${(rate(total) / rate(chains)).toFixed(2)} | ${cpuRate(total).toFixed(0)} | ${(cpuRate(total) / cpuRate(chains)).toFixed(2)} | ${(total.calls / steps).toFixed(1)} |`,
    );
  }
}
