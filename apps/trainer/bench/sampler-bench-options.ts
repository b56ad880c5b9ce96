import { integerOption } from "../../../scripts/command-line.mjs";

/**
 * The options the sampler benches share (tasks, checkpoints, batches, budget, seed, chunk), so
 * their figures are of the same batches.
 */
export const SAMPLER_BENCH_OPTIONS = {
  tasks: { type: "string", default: "countdown,sort-swaps" },
  checkpoints: { type: "string", default: "../../checkpoints" },
  prompts: { type: "string", default: "8" },
  steps: { type: "string", default: "8" },
  budget: { type: "string", default: "160" },
  seed: { type: "string", default: "1" },
  "decode-chunk": { type: "string", default: "8" },
} as const;

type SamplerBenchValues = {
  readonly [name in Exclude<keyof typeof SAMPLER_BENCH_OPTIONS, "tasks" | "checkpoints">]: string;
};

/** The shared options' counts, each refused in one line naming the bench at `benchUrl` unless a whole number in range. */
export function samplerBenchCounts(benchUrl: string, values: SamplerBenchValues) {
  return {
    steps: integerOption(benchUrl, "--steps", values.steps),
    promptsPerStep: integerOption(benchUrl, "--prompts", values.prompts),
    budget: integerOption(benchUrl, "--budget", values.budget),
    seed: integerOption(benchUrl, "--seed", values.seed, 0),
    decodeChunk: integerOption(benchUrl, "--decode-chunk", values["decode-chunk"]),
  };
}
