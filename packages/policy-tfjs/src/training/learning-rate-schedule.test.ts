import { describe, expect, it } from "vitest";
import { learningRateAt } from "./learning-rate-schedule.js";

describe("learningRateAt", () => {
  it("warms up linearly, then holds a constant rate", () => {
    const schedule = { peak: 2, warmupSteps: 4 };
    expect([0, 1, 2, 3, 4, 50].map((step) => learningRateAt(schedule, step))).toEqual([0.5, 1, 1.5, 2, 2, 2]);
  });

  it("decays linearly and by cosine to the minimum", () => {
    const linear = { peak: 1, warmupSteps: 2, decay: "linear", totalSteps: 6, minimum: 0.2 } as const;
    expect(learningRateAt(linear, 2)).toBe(1);
    expect(learningRateAt(linear, 4)).toBeCloseTo(0.6, 12);
    expect(learningRateAt(linear, 9)).toBeCloseTo(0.2, 12);
    const cosine = { peak: 1, decay: "cosine", totalSteps: 4 } as const;
    expect(learningRateAt(cosine, 2)).toBeCloseTo(0.5, 12);
    expect(learningRateAt(cosine, 4)).toBeCloseTo(0, 12);
  });

  it("asks for totalSteps when decaying", () => {
    expect(() => learningRateAt({ peak: 1, decay: "cosine" }, 0)).toThrow(/schedule.totalSteps/);
  });
});
