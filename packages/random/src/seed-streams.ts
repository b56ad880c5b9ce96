import { deriveSeedMurmur3 } from "./derive-seed-murmur3.js";
import { deriveSeedSplitMix32 } from "./derive-seed-split-mix32.js";

/**
 * Every named seed stream of ibtpo: how the seed of one kind of random choice is derived from the
 * seed it starts from. One table, so two streams cannot share an offset by accident and a run's
 * committed results keep their meaning (changing a derivation changes every result made from it).
 * Streams derived from a run seed with {@link deriveSeedSplitMix32} take disjoint stream indices:
 * train problems use the step itself, RL sampling `0x51000 + step`, the SFT order `0x5f7`.
 *
 * @example
 * const samplingSeed = seedStreams.rlStepSampling(runSeed, step);
 */
export const seedStreams = {
  /** The train-split problems of RL step `step` (a resumed run sees the same problems). */
  trainProblems: (runSeed: number, step: number): number => deriveSeedSplitMix32(runSeed, step),
  /** The sampler seed of RL step `step`: every tree of the step derives from it. */
  rlStepSampling: (runSeed: number, step: number): number => deriveSeedSplitMix32(runSeed, 0x51_000 + step),
  /** The order and trajectories of the SFT warm-up examples. */
  pretrainExamples: (runSeed: number): number => deriveSeedSplitMix32(runSeed, 0x5f7),
  /** One generation request of a sampler: prompt `prompt`, round `iteration`, request `request`. */
  generationRequest: (seed: number, prompt: number, iteration: number, request: number): number =>
    deriveSeedMurmur3(seed, prompt, iteration, request),
  /** A sampler's own choices in round `iteration` of prompt `prompt` (random-tree's nodes). */
  samplerChoices: (seed: number, prompt: number, iteration: number): number =>
    deriveSeedMurmur3(seed, prompt, iteration, -1),
  /** The prompts and hidden rules of tree-sampler's reference task. */
  referenceTask: (seed: number): number => deriveSeedMurmur3(seed, 0x7a5c),
} as const;

/** The name of a seed stream of {@link seedStreams}. */
export type SeedStreamName = keyof typeof seedStreams;
