import { deriveSeedMurmur3, Sfc32 } from "@ibtpo/random";

/**
 * @deprecated Use `deriveSeedMurmur3` from `@ibtpo/random` (the same function; bench-harness's
 * `deriveSeed` is a different one, `deriveSeedSplitMix32`).
 */
export const deriveSeed: typeof deriveSeedMurmur3 = deriveSeedMurmur3;

/**
 * @deprecated Use `Sfc32` from `@ibtpo/random` (the same generator; policy-tfjs's `SeededRandom`
 * is a different one, `Mulberry32`).
 */
export const SeededRandom: typeof Sfc32 = Sfc32;
/** @deprecated Use `Sfc32` from `@ibtpo/random`. */
export type SeededRandom = Sfc32;
