/**
 * The same seed gives the same draws in every package: two generators, two seed derivations and
 * the named streams of a run.
 *   npx -y pnpm@10.34.9 --filter @ibtpo/random example
 */
import { deriveSeedMurmur3, deriveSeedSplitMix32, Mulberry32, Sfc32, scrambleSeed, seedStreams } from "@ibtpo/random";

const sfc32 = new Sfc32(7);
console.log(`Sfc32(7): ${sfc32.nextUint32()} ${sfc32.nextUint32()}, nextInt(10) = ${sfc32.nextInt(10)}`);

const mulberry32 = new Mulberry32(42);
console.log(`Mulberry32(42): next() = ${mulberry32.next()}, shuffled = ${mulberry32.shuffled([1, 2, 3, 4, 5])}`);

const scrambled = new Mulberry32(scrambleSeed(42));
console.log(`Mulberry32(scrambleSeed(42)): nextNormal() = ${scrambled.nextNormal().toFixed(6)}`);

console.log(`deriveSeedMurmur3(42, 0, 1, 3) = ${deriveSeedMurmur3(42, 0, 1, 3)}`);
console.log(`deriveSeedSplitMix32(3, 17) = ${deriveSeedSplitMix32(3, 17)}`);
console.log(`seedStreams.rlStepSampling(1, 4) = ${seedStreams.rlStepSampling(1, 4)}`);
