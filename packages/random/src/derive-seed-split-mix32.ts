/**
 * Derives an independent 32-bit seed from a base seed and a stream index with one SplitMix32-style
 * step, so that "problem 17 of seed 3" shares no draws with "problem 18 of seed 3". Both inputs
 * are read as unsigned 32-bit integers. This is the derivation of bench-harness's problems,
 * splits and evaluation samples.
 *
 * @example
 * deriveSeedSplitMix32(3, 17); // 515338700
 */
export function deriveSeedSplitMix32(seed: number, stream: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b9) + Math.imul(stream >>> 0, 0x85ebca6b) + 0x632be5ab) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97) >>> 0;
  return (z ^ (z >>> 15)) >>> 0;
}
