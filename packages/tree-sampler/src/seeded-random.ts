import { TreeSamplerError } from "./errors.js";

const TWO_POW_32 = 2 ** 32;

/** Murmur3's 32-bit finaliser: every input bit affects every output bit. */
function finalMix(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function checkSeedPart(value: number, location: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new TreeSamplerError(`a seed must be a safe integer, got ${value}`, location);
  }
}

/**
 * Mix integers into one 32-bit seed, so each request of a run gets its own reproducible stream:
 * `deriveSeed(runSeed, promptIndex, iteration, requestIndex)`. Any safe integers are accepted
 * (negative ones too); the order of the parts matters.
 *
 * @example
 * deriveSeed(42, 0, 1, 3) === deriveSeed(42, 0, 1, 3); // true, whatever else the run does
 */
export function deriveSeed(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index] as number;
    checkSeedPart(part, `seed part ${index}`);
    const low = part >>> 0;
    const high = Math.floor(part / TWO_POW_32) >>> 0;
    h = finalMix(h ^ finalMix(low + index));
    h = finalMix(h ^ finalMix(high ^ 0x5bd1e995));
  }
  return h;
}

/**
 * A small, fast, seeded generator (SFC32) for every random choice in this package; no Math.random.
 *
 * @example
 * const random = new SeededRandom(7);
 * random.next(); // a double in [0, 1), the same for every run seeded with 7
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    checkSeedPart(seed, "seed");
    this.a = deriveSeed(seed, 1);
    this.b = deriveSeed(seed, 2);
    this.c = deriveSeed(seed, 3);
    this.d = 1;
    // Discarding the first outputs decorrelates generators built from nearby seeds.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A uniform integer in [0, bound), without modulo bias. */
  nextInt(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > TWO_POW_32) {
      throw new TreeSamplerError(`bound must be an integer in [1, 2^32], got ${bound}`, "nextInt");
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % bound);
    for (;;) {
      const value = this.nextUint32();
      if (value < limit) return value % bound;
    }
  }
}
