import { RandomError } from "./errors.js";
import { fmix32 } from "./fmix32.js";

const TWO_POW_32 = 2 ** 32;

/** Rejects what cannot be a seed: a seed part must be a safe integer (negative ones too). */
export function checkSeedPart(value: number, location: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new RandomError(`a seed must be a safe integer, got ${value}`, location);
  }
}

/**
 * Mixes any number of safe integers into one 32-bit seed with Murmur3's finaliser, so each request
 * of a run gets its own reproducible stream: `deriveSeedMurmur3(runSeed, prompt, iteration, request)`.
 * Both 32-bit halves of each part count, and so does the order of the parts. This is the
 * derivation of tree-sampler's samplers and of {@link Sfc32}'s state.
 *
 * @example
 * deriveSeedMurmur3(42, 0, 1, 3) === deriveSeedMurmur3(42, 0, 1, 3); // true, whatever else the run does
 */
export function deriveSeedMurmur3(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index] as number;
    checkSeedPart(part, `seed part ${index}`);
    const low = part >>> 0;
    const high = Math.floor(part / TWO_POW_32) >>> 0;
    h = fmix32(h ^ fmix32(low + index));
    h = fmix32(h ^ fmix32(high ^ 0x5bd1e995));
  }
  return h;
}
