// Decode steps of the tfjs policy per batch of prompts, for each sampler sampled in one call per
// round, with `decodeChunk` and with `continuousBatching` (the same trees in all three): a step is
// one forward of the model over the rows in flight, the unit a decode costs on a small model, so
// these counts say how far a batching scheme can go whatever the load of the machine (they do not
// depend on it). Also the keys and values the prefix cache holds at the end of a batch (it keeps
// every decoded sequence, a branch as its own positions after those it shares). Same prompts,
// seeds and budget as the sampler bench. After `pnpm build`:
//   npx -y pnpm@10.34.9 --filter @ibtpo/trainer bench:decode-steps [-- --steps 8 --prompts 8 --budget 160 --decode-chunk 8]

import { type BuiltinTaskName, sampleProblems } from "@ibtpo/bench-harness";
import { loadCheckpoint, selectBackend, TfjsPolicy } from "@ibtpo/policy-tfjs";
import { createSampler, type SamplerKind, sampleBatch } from "@ibtpo/tree-sampler";
import { parseScriptArguments } from "../../../scripts/command-line.mjs";
import { resolveCheckpoint } from "../src/runtime/resolve-checkpoint.js";
import { createTask, promptTokens } from "../src/runtime/task-setup.js";
import { SAMPLER_BENCH_OPTIONS, samplerBenchCounts } from "./sampler-bench-options.js";

const { values } = parseScriptArguments(import.meta.url, { options: SAMPLER_BENCH_OPTIONS });
const { steps, promptsPerStep, budget, seed, decodeChunk } = samplerBenchCounts(import.meta.url, values);
const schemes = [
  { label: "one call per round", options: {} },
  { label: `decodeChunk ${decodeChunk}`, options: { decodeChunk } },
  { label: "continuousBatching", options: { continuousBatching: true } },
];
const kinds: SamplerKind[] = ["chains", "entropy-tree", "ib-tree"];

await selectBackend({ log: () => {} });
console.log(
  `${steps} batches of ${promptsPerStep} prompts, budget ${budget} generated tokens per prompt, budgetCut drop`,
);
for (const taskName of (values.tasks as string).split(",")) {
  const base = await resolveCheckpoint(`${values.checkpoints}/${taskName}-base`, "--checkpoints");
  const task = createTask(base.task as BuiltinTaskName, base.taskOptions);
  const { model, tokenizer } = await loadCheckpoint(base.directory);
  // Count the model's cached decode steps (one column per row) and the rows they carry.
  // And the positions prefills encode (rows times columns, padding included).
  const counts = { steps: 0, rows: 0, prefilled: 0, keptBytes: 0 };
  const lastLogits = model.lastLogits.bind(model);
  model.lastLogits = (tokens, positions, bias, past, options) => {
    if (past !== null) {
      counts.steps++;
      counts.rows += tokens.shape[0];
    } else {
      counts.prefilled += tokens.shape[0] * tokens.shape[1];
    }
    return lastLogits(tokens, positions, bias, past, options);
  };
  const policy = TfjsPolicy.fromTokenizer(model, tokenizer, { seed: 0 });
  const openPrefixCache = policy.openPrefixCache.bind(policy);
  policy.openPrefixCache = () => {
    const cache = openPrefixCache();
    const dispose = cache.dispose.bind(cache);
    cache.dispose = () => {
      counts.keptBytes += cache.heldBytes;
      dispose();
    };
    return cache;
  };
  const problems = sampleProblems(task, { split: "train", count: steps * promptsPerStep, seed });
  console.log(
    `\n${task.name}: decode steps per batch (rows per step), prefilled positions per batch, KiB the prefix cache holds at a batch's end`,
  );
  console.log(`| sampler | ${schemes.map(({ label }) => label).join(" | ")} |`);
  console.log(`| --- |${schemes.map(() => " --- |").join("")}`);
  for (const kind of kinds) {
    const cells = [];
    for (const scheme of schemes) {
      counts.steps = 0;
      counts.rows = 0;
      counts.prefilled = 0;
      counts.keptBytes = 0;
      for (let step = 0; step < steps; step++) {
        const stepProblems = problems.slice(step * promptsPerStep, (step + 1) * promptsPerStep);
        const prompts = stepProblems.map((problem) => promptTokens(tokenizer, problem));
        const longestPrompt = Math.max(...prompts.map((prompt) => prompt.length));
        await sampleBatch(prompts, policy, {
          sampler: createSampler({ kind }),
          budget,
          maxResponseLength: Math.min(task.maxResponseSymbols + 1, model.config.contextLength - longestPrompt),
          budgetCut: "drop",
          ...scheme.options,
          seed: seed * 1000 + step,
          reward: (index, tokens) => task.verify(stepProblems[index]!, tokenizer.decode(tokens)).reward,
        });
      }
      const perBatch = (count: number) => (count / steps).toFixed(1);
      cells.push(
        `${perBatch(counts.steps)} (${(counts.rows / counts.steps).toFixed(1)}), ${perBatch(counts.prefilled)}, ${perBatch(counts.keptBytes / 1024)}`,
      );
    }
    console.log(`| ${kind} | ${cells.join(" | ")} |`);
  }
}
