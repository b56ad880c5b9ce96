import { describe, expect, it } from "vitest";
import { TreeSamplerError } from "./errors.js";
import { deriveSeed, SeededRandom } from "./seeded-random.js";

describe("deriveSeed", () => {
  it("is a pure function of its parts, and order matters", () => {
    expect(deriveSeed(42, 0, 1, 3)).toBe(deriveSeed(42, 0, 1, 3));
    expect(deriveSeed(42, 0, 1, 3)).not.toBe(deriveSeed(42, 0, 3, 1));
    expect(deriveSeed(1, 2)).not.toBe(deriveSeed(1, 2, 0));
  });

  it("gives distinct seeds across a grid of runs, prompts, iterations and requests", () => {
    const seen = new Set<number>();
    for (let run = 0; run < 4; run++)
      for (let prompt = 0; prompt < 8; prompt++)
        for (let iteration = -1; iteration < 8; iteration++)
          for (let request = 0; request < 8; request++) seen.add(deriveSeed(run, prompt, iteration, request));
    expect(seen.size).toBe(4 * 8 * 9 * 8);
  });

  it("uses the high bits of large seeds", () => {
    expect(deriveSeed(2 ** 40)).not.toBe(deriveSeed(0));
    expect(deriveSeed(-1)).not.toBe(deriveSeed(2 ** 32 - 1));
  });

  it("rejects non-integers, naming the part", () => {
    expect(() => deriveSeed(1, 0.5)).toThrow(/seed part 1/);
    expect(() => deriveSeed(Number.NaN)).toThrow(TreeSamplerError);
  });
});

describe("SeededRandom", () => {
  it("replays the same stream for the same seed and differs for another", () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const streamA = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(streamA);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(streamA);
  });

  it("draws doubles in [0, 1) with mean close to 1/2", () => {
    const random = new SeededRandom(1);
    let sum = 0;
    let outside = 0;
    const draws = 100_000;
    for (let i = 0; i < draws; i++) {
      const value = random.next();
      if (!(value >= 0 && value < 1)) outside++;
      sum += value;
    }
    expect(outside).toBe(0);
    // Standard error of the mean is sqrt(1/12 / n) ~ 0.0009; 5 sigma.
    expect(Math.abs(sum / draws - 0.5)).toBeLessThan(0.0046);
  });

  it("draws integers uniformly: chi-square over 7 cells below the 0.999 quantile (22.46 for 6 df)", () => {
    const random = new SeededRandom(3);
    const counts = new Array(7).fill(0);
    const draws = 70_000;
    for (let i = 0; i < draws; i++) counts[random.nextInt(7)]++;
    const expected = draws / 7;
    const chiSquare = counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(22.46);
  });

  it("rejects a bad bound", () => {
    expect(() => new SeededRandom(1).nextInt(0)).toThrow(/bound/);
  });
});
