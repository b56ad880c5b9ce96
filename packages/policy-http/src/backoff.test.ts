import { describe, expect, it } from "vitest";
import { Backoff } from "./backoff.js";

describe("Backoff", () => {
  it("doubles the delay per retry, keeps half of it fixed and caps it", () => {
    const backoff = new Backoff({ initialDelayMs: 100, maxDelayMs: 350, seed: 3 });
    const delays = [1, 2, 3, 4].map((retry) => backoff.delayMs(retry));
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[0]).toBeLessThan(100);
    expect(delays[1]).toBeGreaterThanOrEqual(100);
    expect(delays[1]).toBeLessThan(200);
    expect(delays[2]).toBeGreaterThanOrEqual(175);
    expect(delays[2]).toBeLessThan(350);
    expect(delays[3]).toBeLessThan(350);
  });

  it("draws the same jitter for the same seed and other jitter for another", () => {
    const draws = (seed: number) => {
      const backoff = new Backoff({ seed });
      return [1, 2, 3].map((retry) => backoff.delayMs(retry));
    };
    expect(draws(7)).toEqual(draws(7));
    expect(draws(7)).not.toEqual(draws(8));
  });

  it("waits at least Retry-After, up to the cap", () => {
    const backoff = new Backoff({ initialDelayMs: 10, maxDelayMs: 2000 });
    expect(backoff.delayMs(1, 1.5)).toBe(1500);
    expect(backoff.delayMs(1, 60)).toBe(2000);
  });

  it("rejects a cap below the initial delay", () => {
    expect(() => new Backoff({ initialDelayMs: 100, maxDelayMs: 50 })).toThrow(/initialDelayMs <= maxDelayMs/);
  });
});
