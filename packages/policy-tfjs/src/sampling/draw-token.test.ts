import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { drawToken } from "./draw-token.js";

const logits = Float32Array.from([Math.log(0.1), Math.log(0.2), Math.log(0.3), Math.log(0.4)]);
const plain = { temperature: 1, topK: 0, topP: 1 };

describe("drawToken", () => {
  it("walks the cumulative distribution in id order and reports log-prob and entropy", () => {
    const entropy = -[0.1, 0.2, 0.3, 0.4].reduce((sum, p) => sum + p * Math.log(p), 0);
    expect(drawToken(logits, 0, 4, plain, 0.05).token).toBe(0);
    expect(drawToken(logits, 0, 4, plain, 0.25).token).toBe(1);
    const draw = drawToken(logits, 0, 4, plain, 0.65);
    expect(draw.token).toBe(3);
    expect(draw.logprob).toBeCloseTo(Math.log(0.4), 6);
    expect(draw.entropy).toBeCloseTo(entropy, 6);
  });

  it("draws the same whatever vocabulary the draw before it had (its work array is reused)", () => {
    const wide = Float32Array.from({ length: 7 }, (_, token) => token / 3);
    const settings = [plain, { temperature: 0.7, topK: 3, topP: 1 }, { temperature: 1, topK: 0, topP: 0.6 }];
    const alone = settings.map((setting) => [
      drawToken(logits, 0, 4, setting, 0.37),
      drawToken(wide, 0, 7, setting, 0.81),
    ]);
    const interleaved = settings.map((setting) => {
      drawToken(wide, 0, 7, setting, 0.5);
      const narrow = drawToken(logits, 0, 4, setting, 0.37);
      drawToken(logits, 0, 4, setting, 0.9);
      return [narrow, drawToken(wide, 0, 7, setting, 0.81)];
    });
    expect(interleaved).toEqual(alone);
  });

  it("keeps top-k and top-p sets but reports the untruncated log-prob", () => {
    // top-k 2 keeps {2, 3} with masses 0.3 and 0.4: u = 0.4 -> 0.28 < 0.3 -> token 2.
    const topK = drawToken(logits, 0, 4, { temperature: 1, topK: 2, topP: 1 }, 0.4);
    expect(topK.token).toBe(2);
    expect(topK.logprob).toBeCloseTo(Math.log(0.3), 6);
    // top-p 0.5 keeps {3, 2} (0.4 then 0.7 >= 0.5); nothing below rank 2 is ever drawn.
    for (const u of [0, 0.3, 0.6, 0.999]) {
      expect([2, 3]).toContain(drawToken(logits, 0, 4, { temperature: 1, topK: 0, topP: 0.5 }, u).token);
    }
    expect(drawToken(logits, 0, 4, { temperature: 1, topK: 0, topP: 0.3 }, 0.99).token).toBe(3);
  });

  it("scales by temperature and is greedy at temperature 0", () => {
    const hot = drawToken(logits, 0, 4, { temperature: 2, topK: 0, topP: 1 }, 0.99);
    const scaled = [0.1, 0.2, 0.3, 0.4].map(Math.sqrt);
    const total = scaled.reduce((a, b) => a + b, 0);
    expect(hot.logprob).toBeCloseTo(Math.log(scaled[3]! / total), 6);
    const greedy = drawToken(logits, 0, 4, { temperature: 0, topK: 0, topP: 1 }, 0);
    expect(greedy).toMatchObject({ token: 3 });
    expect(greedy.logprob).toBeCloseTo(Math.log(0.4), 6);
  });

  it("reads the row at the given offset", () => {
    const rows = Float32Array.from([0, 0, 5, -5]);
    expect(drawToken(rows, 2, 2, { temperature: 0, topK: 0, topP: 1 }, 0).token).toBe(0);
  });

  it("always draws a token the truncation keeps, with a log-prob <= 0 and entropy within [0, log V]", () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -20, max: 20, noNaN: true }), { minLength: 2, maxLength: 12 }),
        fc.float({ min: Math.fround(0.05), max: 3, noNaN: true }),
        fc.integer({ min: 0, max: 4 }),
        fc.float({ min: Math.fround(0.01), max: 1, noNaN: true }),
        fc.float({ min: 0, max: Math.fround(0.9999), noNaN: true }),
        (values, temperature, topK, topP, uniform) => {
          const row = Float32Array.from(values);
          const draw = drawToken(row, 0, row.length, { temperature, topK, topP }, uniform);
          expect(draw.logprob).toBeLessThanOrEqual(1e-9);
          expect(draw.entropy).toBeGreaterThanOrEqual(-1e-9);
          expect(draw.entropy).toBeLessThanOrEqual(Math.log(row.length) + 1e-9);
          if (topK > 0) {
            // The drawn token ranks within the top k (ties allowed).
            const better = values.filter((v) => v > values[draw.token]!).length;
            expect(better).toBeLessThan(topK);
          }
        },
      ),
    );
  });
});
