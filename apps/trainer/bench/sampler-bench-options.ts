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
