/**
 * A small seeded pseudo-random generator (mulberry32). Every random choice in this package flows
 * from one of these, so problems, splits and trajectories are reproducible from a seed.
 *
 * @example
 * const random = createRandom(42);
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

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (bound: number): number => {
    if (!Number.isInteger(bound) || bound <= 0)
      throw new RangeError(`random.int: bound must be a positive integer, got ${bound}`);
    return Math.floor(next() * bound);
  };
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError("random.pick: empty array");
      return items[int(items.length)] as T;
    },
    shuffled: <T>(items: readonly T[]): T[] => {
      const copy = items.slice();
      for (let i = copy.length - 1; i > 0; i--) {
        const j = int(i + 1);
        const held = copy[i] as T;
        copy[i] = copy[j] as T;
        copy[j] = held;
      }
      return copy;
    },
  };
}

/**
 * Derives an independent 32-bit seed from a base seed and a stream index (a splitmix32 step), so
 * that "problem 17 of seed 3" does not share draws with "problem 18 of seed 3".
 */
export function deriveSeed(seed: number, stream: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b9) + Math.imul(stream >>> 0, 0x85ebca6b) + 0x632be5ab) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97) >>> 0;
  return (z ^ (z >>> 15)) >>> 0;
}

/** FNV-1a 32-bit hash of a string's UTF-16 code units, as an unsigned integer. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
