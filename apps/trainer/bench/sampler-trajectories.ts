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
// The paper measures its Table 3 on one model; trained policies are compared the same way with
// --policies, a comma-separated list of checkpoints or run folders (their latest checkpoint) in
// place of the base checkpoints of --tasks: every sampler draws from each policy the same prompts,
// and the figures get a 95% t-interval over the policies of a task, with Eff-Rate and Avg-Rate
// minus chains paired per policy (over the batches when a task has one policy):
//   ... bench -- --only "chains,ib-tree (paper J)" --exact --policies runs/grpo/seed-1,runs/grpo/seed-2
// --temperature, --top-p and --top-k set the sampling (default: the trainer's, 1, 1 and 0 for off);
// with --exact each part of --only is a whole label. --json prints the same figures as one JSON
// document on stdout instead of the tables (per task: the pooled figures per sampler and, with
// several policies or batches, the intervals and their table), for scripts such as
// experiments/run-protocol.mjs.
import { cpus, loadavg } from "node:os";
import {
  type BuiltinTaskName,
  formatMeanInterval,
  type MeanWithInterval,
  meanConfidenceInterval,
  sampleProblems,
} from "@ibtpo/bench-harness";
import type { ReasoningTree } from "@ibtpo/ib-score";
import { loadCheckpoint, selectBackend, TfjsPolicy } from "@ibtpo/policy-tfjs";
import { createSampler, type SamplerConfig, sampleBatch } from "@ibtpo/tree-sampler";
import { parseScriptArguments } from "../../../scripts/command-line.mjs";
import { ConfigError } from "../src/config/config-error.js";
import { reportError } from "../src/runtime/report-error.js";
import { resolveCheckpoint } from "../src/runtime/resolve-checkpoint.js";
import { createTask, promptTokens } from "../src/runtime/task-setup.js";
import { cpuModel } from "./cpu-model.js";
import { SAMPLER_BENCH_OPTIONS, samplerBenchCounts } from "./sampler-bench-options.js";

const { values } = parseScriptArguments(import.meta.url, {
  options: {
    ...SAMPLER_BENCH_OPTIONS,
    only: { type: "string" },
    exact: { type: "boolean" },
    policies: { type: "string" },
    temperature: { type: "string", default: "1" },
    "top-p": { type: "string", default: "1" },
    "top-k": { type: "string", default: "0" },
    json: { type: "boolean" },
  },
});
const { steps, promptsPerStep, budget, seed, decodeChunk } = samplerBenchCounts(import.meta.url, values);

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
  // The paper's tree starts from half the chains its budget buys (4 of about 8); at 160 tokens a
  // countdown budget buys 16-24 chains.
  { label: "ib-tree (paper J, initialChains 8)", config: { kind: "ib-tree", initialChains: 8 } },
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
// otherwise each part (split at the commas outside parentheses, so "ib-tree (paper J, minNovelty
// 0.5)" is one part) is a prefix, or with --exact a whole label.
const parts = (text: string) => text.split(/,(?![^(]*\))/).map((part) => part.trim());
const only = allSamplers.some(({ label }) => label === values.only)
  ? [values.only!]
  : values.only === undefined
    ? undefined
    : parts(values.only);
const selects = (label: string, part: string) => (values.exact ? label === part : label.startsWith(part));
const samplers = allSamplers.filter(
  ({ label }, index) => index === 0 || only === undefined || only.some((part) => selects(label, part)),
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

/** The trainer's `sampling` settings (experiments/main.yaml: temperature 1, no top-p or top-k). */
const sampling = {
  temperature: Number(values.temperature),
  topP: Number(values["top-p"]),
  topK: Number(values["top-k"]),
};

const emptyTotals = (): Totals => ({
  trajectories: 0,
  distinct: 0,
  tokens: 0,
  rewardSum: 0,
  effective: 0,
  prompts: 0,
  seconds: 0,
  cpuSeconds: 0,
  calls: 0,
});
/** Per sampler, the sum of the totals of `parts` (each a per-sampler list). */
const summed = (parts: readonly (readonly Totals[])[]): Totals[] =>
  samplers.map((_, index) => {
    const sum = emptyTotals();
    for (const part of parts) {
      const total = part[index]!;
      for (const key of Object.keys(sum) as (keyof Totals)[]) sum[key] += total[key];
    }
    return sum;
  });

/** One policy's figures: per batch of prompts, per sampler. */
interface PolicyTotals {
  readonly taskName: string;
  readonly directory: string;
  readonly batches: Totals[][];
}

/** Every sampler on `steps` batches of the task's training prompts, sampled from one checkpoint. */
async function benchPolicy(path: string): Promise<PolicyTotals> {
  const checkpoint = await resolveCheckpoint(path, values.policies === undefined ? "--checkpoints" : "--policies");
  if (checkpoint.task === null) throw new ConfigError(`${path}: the checkpoint does not record its task`);
  const task = createTask(checkpoint.task as BuiltinTaskName, checkpoint.taskOptions);
  const { model, tokenizer } = await loadCheckpoint(checkpoint.directory);
  const policy = TfjsPolicy.fromTokenizer(model, tokenizer, { seed: 0 });
  const problems = sampleProblems(task, { split: "train", count: steps * promptsPerStep, seed });
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
        sampling,
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
  const batches: Totals[][] = [];
  for (let step = 0; step < steps; step++) {
    const totals: Totals[] = [];
    for (const sampler of samplers) {
      const { batch, seconds, cpuSeconds } = await run(sampler, step);
      const statistics = batch.statistics;
      totals.push({
        trajectories: statistics.trajectories,
        distinct: batch.samples.reduce((sum, sample) => sum + distinctResponses(sample.tree), 0),
        tokens: statistics.generatedTokens,
        rewardSum: statistics.meanReward * statistics.trajectories,
        effective: statistics.effRate * statistics.prompts,
        prompts: statistics.prompts,
        seconds,
        cpuSeconds,
        calls: statistics.generateCalls,
      });
    }
    batches.push(totals);
  }
  model.dispose();
  return { taskName: task.name, directory: checkpoint.directory, batches };
}

/** The paper's Table 3 figures of a sampler's totals. */
const trajectoriesPer1k = (total: Totals) => (total.trajectories / total.tokens) * 1000;
const effRateOf = (total: Totals) => total.effective / total.prompts;
const avgRateOf = (total: Totals) => total.rewardSum / total.trajectories;

/** One sampler's figures over all of a task's batches and policies (ratios to chains of the same run). */
interface PooledFigures {
  readonly sampler: string;
  readonly trajectoriesPer1kTokens: number;
  readonly trajectoriesRatioToChains: number;
  readonly distinctPer1kTokens: number;
  readonly distinctRatioToChains: number;
  readonly effRate: number;
  readonly avgRate: number;
  readonly tokensPerSecond: number;
  readonly tokensPerSecondRatioToChains: number;
  readonly tokensPerCpuSecond: number;
  readonly tokensPerCpuSecondRatioToChains: number;
  readonly generateCallsPerBatch: number;
}

/** The figures of every sampler over all of a task's batches and policies, with speed. */
function pooledFigures(totals: readonly Totals[], calls: number): PooledFigures[] {
  const chains = totals[0]!;
  const distinctPer1k = (total: Totals) => (total.distinct / total.tokens) * 1000;
  const rate = (total: Totals) => total.tokens / total.seconds;
  const cpuRate = (total: Totals) => total.tokens / total.cpuSeconds;
  return samplers.map(({ label }, index) => {
    const total = totals[index]!;
    return {
      sampler: label,
      trajectoriesPer1kTokens: trajectoriesPer1k(total),
      trajectoriesRatioToChains: trajectoriesPer1k(total) / trajectoriesPer1k(chains),
      distinctPer1kTokens: distinctPer1k(total),
      distinctRatioToChains: distinctPer1k(total) / distinctPer1k(chains),
      effRate: effRateOf(total),
      avgRate: avgRateOf(total),
      tokensPerSecond: rate(total),
      tokensPerSecondRatioToChains: rate(total) / rate(chains),
      tokensPerCpuSecond: cpuRate(total),
      tokensPerCpuSecondRatioToChains: cpuRate(total) / cpuRate(chains),
      generateCallsPerBatch: total.calls / calls,
    };
  });
}

function printPooled(rows: readonly PooledFigures[]): void {
  console.log(
    "| sampler | traj. / 1k tokens | x chains | distinct / 1k tokens | x chains | Eff-Rate | Avg-Rate | tokens / s | x chains | tokens / CPU s | x chains | generate calls / batch |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const row of rows) {
    console.log(
      `| ${row.sampler} | ${row.trajectoriesPer1kTokens.toFixed(1)} | ${row.trajectoriesRatioToChains.toFixed(2)} | ${row.distinctPer1kTokens.toFixed(1)} | ${row.distinctRatioToChains.toFixed(2)} | ${row.effRate.toFixed(3)} | ${row.avgRate.toFixed(3)} | ${row.tokensPerSecond.toFixed(0)} | ${row.tokensPerSecondRatioToChains.toFixed(2)} | ${row.tokensPerCpuSecond.toFixed(0)} | ${row.tokensPerCpuSecondRatioToChains.toFixed(2)} | ${row.generateCallsPerBatch.toFixed(1)} |`,
    );
  }
}

/** The paper's Table 3 figures of a task as mean and 95% t-interval over units. */
interface IntervalFigures {
  /** What a unit is: a policy (with several policies) or a batch of prompts (with one). */
  readonly unit: "policy" | "batch";
  readonly units: number;
  readonly rows: readonly {
    readonly sampler: string;
    readonly trajectoriesPer1kTokens: MeanWithInterval;
    readonly trajectoriesRatioToChains: MeanWithInterval;
    readonly effRate: MeanWithInterval;
    readonly effRateMinusChains: MeanWithInterval;
    readonly avgRate: MeanWithInterval;
    readonly avgRateMinusChains: MeanWithInterval;
  }[];
}

/**
 * The paper's Table 3 figures as mean and 95% interval over units (each a policy, or each a batch
 * of one policy), with the per-unit differences to chains (same prompts, same policy).
 */
function intervalFigures(units: readonly (readonly Totals[])[], unit: "policy" | "batch"): IntervalFigures {
  const rows = samplers.map(({ label }, index) => {
    const column = (figure: (total: Totals) => number) =>
      meanConfidenceInterval(units.map((each) => figure(each[index]!)));
    const minusChains = (figure: (total: Totals) => number) =>
      meanConfidenceInterval(units.map((each) => figure(each[index]!) - figure(each[0]!)));
    return {
      sampler: label,
      trajectoriesPer1kTokens: column(trajectoriesPer1k),
      trajectoriesRatioToChains: meanConfidenceInterval(
        units.map((each) => trajectoriesPer1k(each[index]!) / trajectoriesPer1k(each[0]!)),
      ),
      effRate: column(effRateOf),
      effRateMinusChains: minusChains(effRateOf),
      avgRate: column(avgRateOf),
      avgRateMinusChains: minusChains(avgRateOf),
    };
  });
  return { unit, units: units.length, rows };
}

/**
 * The interval figures as a Markdown table with its title line: printed by this bench and, from
 * its --json output, put in PROTOCOL.md by experiments/run-protocol.mjs, so the table has one format.
 */
function intervalTable({ unit, units, rows }: IntervalFigures): { title: string; lines: string[] } {
  const interval = (value: MeanWithInterval, digits: number, signed = false) =>
    formatMeanInterval(value, { digits, signed });
  return {
    title: `Mean and 95% t-interval over ${units} ${unit === "policy" ? "policies" : "batches"}; differences to chains paired per ${unit}:`,
    lines: [
      "| sampler | traj. / 1k tokens | x chains | Eff-Rate | Eff-Rate minus chains | Avg-Rate | Avg-Rate minus chains |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      ...rows.map(
        (row) =>
          `| ${row.sampler} | ${interval(row.trajectoriesPer1kTokens, 1)} | ${interval(row.trajectoriesRatioToChains, 2)} | ${interval(row.effRate, 3)} | ${interval(row.effRateMinusChains, 3, true)} | ${interval(row.avgRate, 3)} | ${interval(row.avgRateMinusChains, 3, true)} |`,
      ),
    ],
  };
}

async function main(): Promise<void> {
  const backend = await selectBackend({ log: () => {} });
  const machine = `${cpuModel()} x${cpus().length}, load average ${loads()} (1, 5, 15 min), node ${process.version}, tfjs backend ${backend.choice}; ${steps} batches of ${promptsPerStep} prompts, budget ${budget} generated tokens per prompt, budgetCut drop, temperature ${sampling.temperature}, top-p ${sampling.topP}, top-k ${sampling.topK}`;
  if (!values.json) console.log(machine);
  const paths =
    values.policies === undefined
      ? (values.tasks as string).split(",").map((taskName) => `${values.checkpoints}/${taskName}-base`)
      : values.policies.split(",").filter((path) => path.length > 0);
  const results: PolicyTotals[] = [];
  for (const [index, path] of paths.entries()) {
    const result = await benchPolicy(path);
    results.push(result);
    if (paths.length > 1) console.error(`policy ${index + 1}/${paths.length} done: ${result.directory}`);
  }
  const tasks = [...new Set(results.map((result) => result.taskName))].map((taskName) => {
    const group = results.filter((result) => result.taskName === taskName);
    const intervals =
      group.length > 1
        ? intervalFigures(
            group.map((result) => summed(result.batches)),
            "policy",
          )
        : steps > 1
          ? intervalFigures(group[0]!.batches, "batch")
          : null;
    return {
      task: taskName,
      policies: group.map((result) => result.directory),
      prompts: group.length * steps * promptsPerStep,
      pooled: pooledFigures(summed(group.flatMap((result) => result.batches)), group.length * steps),
      intervals,
      intervalTable: intervals === null ? null : intervalTable(intervals),
    };
  });
  if (values.json) {
    console.log(JSON.stringify({ machine, tasks }, null, 2));
    return;
  }
  for (const { task, policies, prompts, pooled, intervalTable: table } of tasks) {
    const where = policies.length === 1 ? policies[0] : `${policies.length} policies`;
    console.log(`\n${task} (${where}), ${prompts} prompts; load average now ${loads()}`);
    printPooled(pooled);
    if (table !== null) console.log(["", table.title, ...table.lines].join("\n"));
  }
}

main().catch((error: unknown) => {
  process.exitCode = reportError(error);
});
