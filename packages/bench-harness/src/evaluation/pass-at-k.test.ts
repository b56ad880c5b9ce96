import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { passAtK } from "./pass-at-k.js";

function binomial(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let result = 1n;
  for (let i = 1; i <= k; i++) result = (result * BigInt(n - k + i)) / BigInt(i);
  return result;
}

/** The closed form 1 - C(n-c, k) / C(n, k), in exact integers. */
function closedForm(n: number, c: number, k: number): number {
  const wrong = binomial(n - c, k);
  const all = binomial(n, k);
  return 1 - Number((wrong * 10n ** 15n) / all) / 1e15;
}

describe("passAtK", () => {
  it("matches worked cases", () => {
    expect(passAtK(16, 2, 4)).toBeCloseTo(1 - 1001 / 1820, 12);
    expect(passAtK(10, 3, 1)).toBeCloseTo(0.3, 12);
    expect(passAtK(5, 0, 5)).toBe(0);
    expect(passAtK(5, 1, 5)).toBe(1);
    expect(passAtK(100, 50, 60)).toBe(1);
  });

  it("agrees with the closed form in exact arithmetic", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.nat(), fc.nat(), (n, cSeed, kSeed) => {
        const c = cSeed % (n + 1);
        const k = 1 + (kSeed % n);
        expect(Math.abs(passAtK(n, c, k) - closedForm(n, c, k))).toBeLessThan(1e-12);
      }),
    );
  });

  it("equals the plain success rate at k = 1", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.nat(), (n, c) => {
        expect(passAtK(n, c % (n + 1), 1)).toBeCloseTo((c % (n + 1)) / n, 12);
      }),
    );
  });

  it("rejects impossible counts", () => {
    expect(() => passAtK(4, 5, 1)).toThrow(/correct must be an integer in \[0, 4\]/);
    expect(() => passAtK(4, 1, 8)).toThrow(/k must be an integer in \[1, 4\]/);
  });
});
