import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { entropyLowerBound } from "./entropy-bound.js";

const entropy = (probabilities: readonly number[]) =>
  probabilities.reduce((sum, p) => (p > 0 ? sum - p * Math.log(p) : sum), 0);

describe("entropyLowerBound", () => {
  it("is exact when the known tokens cover the whole distribution", () => {
    const p = [0.5, 0.3, 0.2];
    expect(entropyLowerBound(p.map(Math.log), 3)).toBeCloseTo(entropy(p), 12);
  });

  it("adds the unseen mass at the k-th probability (worked by hand)", () => {
    // known 0.5, 0.25; unseen 0.25 at most 0.25 per token: 0.5 ln 2 + 0.25 ln 4 + 0.25 ln 4
    expect(entropyLowerBound([Math.log(0.5), Math.log(0.25)], 2)).toBeCloseTo(1.5 * Math.log(2), 12);
  });

  it("counts a sampled token outside the top k exactly but bounds the rest by the k-th", () => {
    // top-1 = 0.6, sampled 0.1 (outside top-1), unseen 0.3 <= 0.6 each
    const bound = entropyLowerBound([Math.log(0.6), Math.log(0.1)], 1);
    expect(bound).toBeCloseTo(-0.6 * Math.log(0.6) - 0.1 * Math.log(0.1) - 0.3 * Math.log(0.6), 12);
  });

  it("never exceeds the true entropy of any distribution (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-6, max: 1, noNaN: true }), { minLength: 2, maxLength: 30 }),
        fc.integer({ min: 1, max: 30 }),
        (weights, k) => {
          const total = weights.reduce((a, b) => a + b, 0);
          const p = weights.map((w) => w / total).sort((a, b) => b - a);
          const top = p.slice(0, Math.min(k, p.length));
          const bound = entropyLowerBound(top.map(Math.log), k);
          expect(bound).toBeLessThanOrEqual(entropy(p) + 1e-9);
          expect(bound).toBeGreaterThanOrEqual(entropy(top) - 1e-12);
        },
      ),
    );
  });
});
