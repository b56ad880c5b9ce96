import { describe, expect, it } from "vitest";
import { deriveSeedMurmur3 } from "./derive-seed-murmur3.js";
import { deriveSeedSplitMix32 } from "./derive-seed-split-mix32.js";
import { RandomError } from "./errors.js";
import { seedStreams } from "./seed-streams.js";

// Values recorded from tree-sampler's and bench-harness's deriveSeed before they moved here.
describe("deriveSeedMurmur3", () => {
  it("reproduces the recorded seeds", () => {
    expect([
      deriveSeedMurmur3(42, 0, 1, 3),
      deriveSeedMurmur3(0),
      deriveSeedMurmur3(2 ** 40),
      deriveSeedMurmur3(-1),
      deriveSeedMurmur3(1, 2, 0),
      deriveSeedMurmur3(5, 0x7a5c),
      deriveSeedMurmur3(9, 2, 3, -1),
      deriveSeedMurmur3(),
    ]).toEqual([910276455, 2951955315, 1918893600, 748732546, 2515052956, 4085893686, 2991335864, 2654435769]);
  });

  it("depends on the order and count of the parts and on both 32-bit halves", () => {
    expect(deriveSeedMurmur3(42, 0, 1, 3)).not.toBe(deriveSeedMurmur3(42, 0, 3, 1));
    expect(deriveSeedMurmur3(1, 2)).not.toBe(deriveSeedMurmur3(1, 2, 0));
    expect(deriveSeedMurmur3(2 ** 40)).not.toBe(deriveSeedMurmur3(0));
    expect(deriveSeedMurmur3(-1)).not.toBe(deriveSeedMurmur3(2 ** 32 - 1));
  });

  it("names the part that is not a safe integer", () => {
    expect(() => deriveSeedMurmur3(1, 0.5)).toThrow(/seed part 1/);
    expect(() => deriveSeedMurmur3(Number.NaN)).toThrow(RandomError);
  });
});

describe("deriveSeedSplitMix32", () => {
  it("reproduces the recorded seeds", () => {
    expect([
      deriveSeedSplitMix32(1, 0),
      deriveSeedSplitMix32(3, 17),
      deriveSeedSplitMix32(1, 0x51_000 + 4),
      deriveSeedSplitMix32(7, 0x5f7),
      deriveSeedSplitMix32(4294967295, 4294967295),
    ]).toEqual([2862508221, 515338700, 3484297763, 3276774278, 3529171935]);
  });
});

describe("seedStreams", () => {
  it("derives each stream as recorded", () => {
    expect(seedStreams.rlStepSampling(1, 4)).toBe(3484297763);
    expect(seedStreams.pretrainExamples(7)).toBe(3276774278);
    expect(seedStreams.trainProblems(3, 17)).toBe(515338700);
    expect(seedStreams.referenceTask(5)).toBe(4085893686);
    expect(seedStreams.samplerChoices(9, 2, 3)).toBe(2991335864);
    expect(seedStreams.generationRequest(42, 0, 1, 3)).toBe(910276455);
  });
});
