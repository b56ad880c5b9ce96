import { checkSeedPart, deriveSeedMurmur3 } from "./derive-seed-murmur3.js";
import { RandomError } from "./errors.js";

const TWO_POW_32 = 2 ** 32;

/**
 * SFC32 (Chris Doty-Humphrey's Small Fast Counting generator): 128 bits of state filled from the
 * seed by {@link deriveSeedMurmur3}, with 53-bit doubles and unbiased integers. tree-sampler's
 * samplers and test policies, policy-http's back-off and the trainer's server draw from it.
 *
 * @example
 * const random = new Sfc32(7);
 * random.nextUint32(); // 2590823026, on every run
 * random.nextInt(10); // an integer in [0, 10), without modulo bias
 */
export class Sfc32 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** @param seed any safe integer, negative ones too. */
  constructor(seed: number) {
    checkSeedPart(seed, "seed");
    this.a = deriveSeedMurmur3(seed, 1);
    this.b = deriveSeedMurmur3(seed, 2);
    this.c = deriveSeedMurmur3(seed, 3);
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

  /** A uniform integer in [0, bound), without modulo bias (rejection sampling). */
  nextInt(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > TWO_POW_32) {
      throw new RandomError(`bound must be an integer in [1, 2^32], got ${bound}`, "Sfc32.nextInt");
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % bound);
    for (;;) {
      const value = this.nextUint32();
      if (value < limit) return value % bound;
    }
  }
}
