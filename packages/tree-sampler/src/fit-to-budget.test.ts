import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fitToBudget } from "./fit-to-budget.js";

describe("fitToBudget", () => {
  it("lowers the last requests first", () => {
    expect(fitToBudget([40, 40, 40, 40], 100)).toEqual([40, 40, 20, 0]);
    expect(fitToBudget([10, 20], 100)).toEqual([10, 20]);
    expect(fitToBudget([10, 20], 0)).toEqual([0, 0]);
    expect(fitToBudget([10, 20], -5)).toEqual([0, 0]);
  });

  it("never grants more than asked or more than the budget, and spends all it can", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 20 }),
        fc.integer({ min: 0, max: 2000 }),
        (desired, remaining) => {
          const granted = fitToBudget(desired, remaining);
          const total = granted.reduce((sum, tokens) => sum + tokens, 0);
          const asked = desired.reduce((sum, tokens) => sum + tokens, 0);
          expect(total).toBe(Math.min(asked, remaining));
          for (const [index, tokens] of granted.entries()) {
            expect(tokens >= 0 && tokens <= (desired[index] as number)).toBe(true);
          }
        },
      ),
    );
  });

  it("with 'drop', grants whole requests only, in order, stopping at the first that does not fit", () => {
    expect(fitToBudget([40, 40, 40, 40], 100, "drop")).toEqual([40, 40, 0, 0]);
    expect(fitToBudget([40, 10, 40], 60, "drop")).toEqual([40, 10, 0]);
    expect(fitToBudget([70, 10], 60, "drop")).toEqual([0, 0]);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 20 }),
        fc.integer({ min: 0, max: 2000 }),
        (desired, remaining) => {
          const granted = fitToBudget(desired, remaining, "drop");
          expect(granted.reduce((sum, tokens) => sum + tokens, 0)).toBeLessThanOrEqual(Math.max(0, remaining));
          const firstDropped = granted.indexOf(0);
          granted.forEach((tokens, index) => {
            if (firstDropped === -1 || index < firstDropped) expect(tokens).toBe(desired[index]);
            else expect(tokens).toBe(0);
          });
        },
      ),
    );
  });
});
