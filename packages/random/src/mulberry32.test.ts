import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RandomError } from "./errors.js";
import { Mulberry32, scrambleSeed } from "./mulberry32.js";

// Outputs recorded from bench-harness's createRandom and policy-tfjs's SeededRandom before they
// moved here: the shipped checkpoints and committed results depend on them.
describe("Mulberry32", () => {
  it("reproduces bench-harness's recorded draws, picks and shuffles", () => {
    const random = new Mulberry32(42);
    expect(Array.from({ length: 4 }, () => random.next())).toEqual([
      0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693,
    ]);
    expect(Array.from({ length: 5 }, () => random.int(6))).toEqual([1, 3, 1, 3, 5]);
    expect(random.pick(["a", "b", "c"])).toBe("b");
    expect(random.shuffled([1, 2, 3, 4, 5, 6])).toEqual([6, 4, 1, 3, 5, 2]);
    const large = new Mulberry32(2 ** 32 + 5);
    expect([large.next(), large.next()]).toEqual([0.6897749109193683, 0.7727432732935995]);
  });

  it("reproduces policy-tfjs's recorded draws from a scrambled seed", () => {
    const random = new Mulberry32(scrambleSeed(42));
    expect(Array.from({ length: 3 }, () => random.next())).toEqual([
      0.24572046380490065, 0.5754302670247853, 0.3558912726584822,
    ]);
    expect(Array.from({ length: 3 }, () => random.nextNormal())).toEqual([
      0.38243298589199376, -1.4108657659343682, -1.0368870040972185,
    ]);
    expect(Array.from({ length: 3 }, () => random.nextUint32())).toEqual([3572063534, 1690003381, 2516852345]);
    const fractional = new Mulberry32(scrambleSeed(-7.9));
    expect([fractional.next(), fractional.next()]).toEqual([0.021289386320859194, 0.11466765287332237]);
  });

  it("shuffles into a permutation and picks a member", () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer(), { minLength: 1, maxLength: 30 }), (seed, items) => {
        const random = new Mulberry32(seed);
        const shuffled = random.shuffled(items);
        const sorted = (values: number[]) => values.slice().sort((x, y) => x - y);
        return JSON.stringify(sorted(shuffled)) === JSON.stringify(sorted(items)) && items.includes(random.pick(items));
      }),
    );
  });

  it("rejects a non-finite seed, a bad bound and an empty pick, naming them", () => {
    expect(() => new Mulberry32(Number.NaN)).toThrow(/seed: a seed must be a finite number, got NaN/);
    expect(() => scrambleSeed(Number.POSITIVE_INFINITY)).toThrow(RandomError);
    expect(() => new Mulberry32(1).int(0)).toThrow(/Mulberry32.int: bound must be a positive integer, got 0/);
    expect(() => new Mulberry32(1).pick([])).toThrow(/Mulberry32.pick: cannot pick from an empty array/);
  });
});
