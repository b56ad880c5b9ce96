import { describe, expect, it } from "vitest";
import { SeededRandom } from "./seeded-random.js";

describe("SeededRandom", () => {
  it("repeats its sequence for the same seed and differs for another", () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const sequenceA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sequenceA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sequenceA);
  });

  it("draws uniforms in [0, 1) with mean near 1/2 and normals with unit variance", () => {
    const random = new SeededRandom(1);
    let sum = 0;
    let squares = 0;
    let normalSum = 0;
    const count = 20000;
    for (let index = 0; index < count; index++) {
      const u = random.next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
      const z = random.nextNormal();
      normalSum += z;
      squares += z * z;
    }
    expect(sum / count).toBeCloseTo(0.5, 1);
    expect(normalSum / count).toBeCloseTo(0, 1);
    expect(squares / count).toBeCloseTo(1, 1);
  });

  it("rejects a non-finite seed", () => {
    expect(() => new SeededRandom(Number.NaN)).toThrow(/seed/);
  });
});
