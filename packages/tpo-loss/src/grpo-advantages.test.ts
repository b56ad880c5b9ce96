import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TpoLossInputError } from "./errors.js";
import { drGrpoAdvantages, grpoAdvantages } from "./grpo-advantages.js";
import type { RewardScaling } from "./option-choices.js";

const epsilon = 1e-4;

describe("grpoAdvantages", () => {
  it("scales by the Bessel std of the group plus epsilon (worked by hand)", () => {
    // Group [1, 0, 0, 1]: mean 0.5, squared deviations 4 x 0.25 = 1, Bessel variance 1/3.
    const std = Math.sqrt(1 / 3);
    const advantages = grpoAdvantages([1, 0, 0, 1], [4]);
    const expected = [0.5, -0.5, -0.5, 0.5].map((centred) => centred / (std + epsilon));
    expected.forEach((value, index) => {
      expect(advantages[index]).toBeCloseTo(value, 12);
    });
    expect(advantages[0]).toBeCloseTo(0.865875, 6);
  });

  it("uses the batch std with group means for 'batch' (worked by hand)", () => {
    // Groups [1, 0] and [1, 1]: batch mean 0.75, squared deviations 0.0625 x 3 + 0.5625 = 0.75,
    // Bessel variance 0.25, std 0.5. Group means 0.5 and 1.
    const advantages = grpoAdvantages([1, 0, 1, 1], [2, 2], { scaleRewards: "batch" });
    expect(Array.from(advantages)).toEqual([0.5 / 0.5001, -0.5 / 0.5001, 0, 0]);
  });

  it("only centres for 'none' and Dr.GRPO", () => {
    expect(Array.from(grpoAdvantages([1, 0, 0, 0], [4], { scaleRewards: "none" }))).toEqual([
      0.75, -0.25, -0.25, -0.25,
    ]);
    expect(Array.from(drGrpoAdvantages([0.5, 0, 1, 1], [2, 2]))).toEqual([0.25, -0.25, 0, 0]);
  });

  it("gives 0 to zero-variance and singleton groups, even with epsilon 0", () => {
    const advantages = grpoAdvantages([1, 1, 1, 0.3, 0, 1], [3, 1, 2], { stdEpsilon: 0 });
    expect(Array.from(advantages.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    // Group [0, 1]: mean 0.5, Bessel variance 0.5.
    expect(advantages[4]).toBeCloseTo(-0.5 / Math.sqrt(0.5), 12);
  });

  it("names the bad group, layout or option", () => {
    expect(() => grpoAdvantages([1, 0], [3])).toThrow(/groupSizes: group sizes add up to 3 but there are 2 rewards/);
    expect(() => grpoAdvantages([1, 0], [2, 0])).toThrow(/group 1: size is 0/);
    expect(() => grpoAdvantages([1, Number.NaN], [2])).toThrow(/response 1: reward is NaN/);
    expect(() => grpoAdvantages([1, 0], [2], { scaleRewards: "std" as RewardScaling })).toThrow(TpoLossInputError);
    expect(() => grpoAdvantages([1, 0], [2], { stdEpsilon: -1 })).toThrow(/option stdEpsilon/);
  });
});

// Rewards on a 1/8 grid and shifts on a 1/4 grid keep every sum exact, so a zero-variance group
// stays exactly zero-variance after the shift.
const gridRewards = fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 12 });
const scalings: RewardScaling[] = ["group", "batch", "none"];

function groupsOf(lengths: number[], values: number[]): number[] {
  const sizes: number[] = [];
  let remaining = values.length;
  for (const length of lengths) {
    if (remaining === 0) break;
    const size = Math.min(length, remaining);
    sizes.push(size);
    remaining -= size;
  }
  if (remaining > 0) sizes.push(remaining);
  return sizes;
}

describe("grpoAdvantages properties", () => {
  it("adding a constant to every reward leaves the advantages unchanged", () => {
    fc.assert(
      fc.property(
        gridRewards,
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: -400, max: 400 }),
        fc.constantFrom(...scalings),
        (grid, lengths, shift, scaleRewards) => {
          const rewards = grid.map((value) => value / 8);
          const sizes = groupsOf(lengths, rewards);
          const before = grpoAdvantages(rewards, sizes, { scaleRewards });
          const after = grpoAdvantages(
            rewards.map((reward) => reward + shift / 4),
            sizes,
            { scaleRewards },
          );
          // The mean divides by the group size, so equality holds to rounding, not bit for bit.
          before.forEach((value, index) => {
            expect(after[index]).toBeCloseTo(value, 10);
          });
        },
      ),
    );
  });

  it("permuting the responses of a group permutes their advantages", () => {
    fc.assert(
      fc.property(
        gridRewards.chain((grid) =>
          fc.tuple(
            fc.constant(grid),
            fc.shuffledSubarray(
              grid.map((_, index) => index),
              { minLength: grid.length },
            ),
          ),
        ),
        fc.constantFrom(...scalings),
        ([grid, order], scaleRewards) => {
          const rewards = grid.map((value) => value / 8);
          const advantages = grpoAdvantages(rewards, [rewards.length], { scaleRewards });
          const permuted = grpoAdvantages(
            order.map((index) => rewards[index] as number),
            [rewards.length],
            { scaleRewards },
          );
          order.forEach((source, target) => {
            expect(permuted[target]).toBeCloseTo(advantages[source] as number, 12);
          });
        },
      ),
    );
  });
});
