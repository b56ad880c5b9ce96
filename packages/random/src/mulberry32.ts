import { RandomError } from "./errors.js";
import { fmix32 } from "./fmix32.js";

function checkFinite(seed: number): void {
  if (!Number.isFinite(seed)) throw new RandomError(`a seed must be a finite number, got ${seed}`, "seed");
}

/**
 * Spreads nearby seeds (0, 1, 2, ...) far apart before they become a {@link Mulberry32} state
 * (Murmur3's finaliser over the seed's low 32 bits, truncated toward zero). policy-tfjs seeds its
 * weight initialisation and token sampling this way.
 *
 * @example
 * new Mulberry32(scrambleSeed(42)).next(); // 0.24572046380490065
 */
export function scrambleSeed(seed: number): number {
  checkFinite(seed);
  return fmix32(seed ^ 0x9e3779b9);
}

/**
 * Mulberry32: a 32-bit-state generator, small and fast, with helpers for the choices tasks make
 * (integers, picks, shuffles, normal draws). The state is the seed's low 32 bits as given; pass the
 * seed through {@link scrambleSeed} first when nearby seeds must not start close together.
 *
 * @example
 * const random = new Mulberry32(42);
 * random.next(); // 0.6011037519201636, on every run
 * random.int(6); // an integer in [0, 6)
 */
export class Mulberry32 {
  private state: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    checkFinite(seed);
    this.state = seed >>> 0;
  }

  /** A uniform double in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform 32-bit unsigned integer (the generator's raw output). */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, bound) as `floor(next() * bound)`; bound must be a positive integer. */
  int(bound: number): number {
    if (!Number.isInteger(bound) || bound <= 0) {
      throw new RandomError(`bound must be a positive integer, got ${bound}`, "Mulberry32.int");
    }
    return Math.floor(this.next() * bound);
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RandomError("cannot pick from an empty array", "Mulberry32.pick");
    return items[this.int(items.length)] as T;
  }

  /** A shuffled copy of the array (Fisher-Yates, from the last position down). */
  shuffled<T>(items: readonly T[]): T[] {
    const copy = items.slice();
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const held = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = held;
    }
    return copy;
  }

  /** A standard normal draw (Box-Muller; the second value of each pair is kept for the next call). */
  nextNormal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    // 1 - next() lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = 2 * Math.PI * this.next();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}
