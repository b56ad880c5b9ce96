export { deriveSeedMurmur3 } from "./derive-seed-murmur3.js";
export { deriveSeedSplitMix32 } from "./derive-seed-split-mix32.js";
export { RandomError } from "./errors.js";
export { Mulberry32, scrambleSeed } from "./mulberry32.js";
export { type SeedStreamName, seedStreams } from "./seed-streams.js";
export { Sfc32 } from "./sfc32.js";
