import { deriveSeedSplitMix32, Mulberry32 } from "@ibtpo/random";

/**
 * The random choices a task makes while generating problems and trajectories. `Mulberry32` of
 * `@ibtpo/random` implements it, and every random choice in this package flows from one of those,
 * so problems, splits and trajectories are reproducible from a seed.
 *
 * @example
 * const random: Random = new Mulberry32(42);
 * random.int(6); // an integer in [0, 6)
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, bound); bound must be a positive integer. */
  int(bound: number): number;
  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy of the array (Fisher-Yates). */
  shuffled<T>(items: readonly T[]): T[];
}

/** @deprecated Use `new Mulberry32(seed)` from `@ibtpo/random`: the same generator. */
export function createRandom(seed: number): Random {
  return new Mulberry32(seed);
}

/**
 * @deprecated Use `deriveSeedSplitMix32` from `@ibtpo/random` (the same function; tree-sampler's
 * `deriveSeed` is a different one, `deriveSeedMurmur3`).
 */
export const deriveSeed: typeof deriveSeedSplitMix32 = deriveSeedSplitMix32;

/** FNV-1a 32-bit hash of a string's UTF-16 code units, as an unsigned integer. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
