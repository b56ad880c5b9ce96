import { describe, expect, it } from "vitest";
import { chiSquare, chiSquareQuantile999 } from "./chi-square.test-helper.js";
import { entropyOf, temperatureScaled, truncatedDistribution } from "./distribution.js";
import { MarkovPolicy } from "./markov-policy.js";
import type { SamplingSettings } from "./policy.js";

// Order 1 over [eos, a, b, c]: after a the next token is [0.1, 0.2, 0.3, 0.4], else [0.5, 0, 0.25, 0.25].
const policy = new MarkovPolicy({
  vocabularySize: 4,
  order: 1,
  eosToken: 0,
  stepDelimiter: 3,
  probabilities: (context) => (context[0] === 1 ? [0.1, 0.2, 0.3, 0.4] : [0.5, 0, 0.25, 0.25]),
});

async function firstTokenCounts(prefix: number[], settings: Omit<SamplingSettings, "maxTokens">, draws: number) {
  const requests = Array.from({ length: draws }, (_, seed) => ({
    prefix,
    settings: { ...settings, maxTokens: 1, seed },
  }));
  const counts = new Array(4).fill(0);
  for (const generation of await policy.generate(requests)) counts[generation.tokens[0] as number]++;
  return counts;
}

describe("MarkovPolicy sampled frequencies", () => {
  // Tolerance: the chi-square statistic stays below its 0.999 quantile, so a correct sampler fails
  // one of these fixed-seed checks with probability 0.001 each.
  const draws = 20_000;

  it("match the table at temperature 1", async () => {
    const counts = await firstTokenCounts([1], {}, draws);
    const { statistic, degrees } = chiSquare(counts, [0.1, 0.2, 0.3, 0.4]);
    expect(degrees).toBe(3);
    expect(statistic).toBeLessThan(chiSquareQuantile999(3));
  });

  it("would fail for a distribution 0.02 away (the check has power)", async () => {
    const counts = await firstTokenCounts([1], {}, draws);
    expect(chiSquare(counts, [0.12, 0.18, 0.3, 0.4]).statistic).toBeGreaterThan(chiSquareQuantile999(3));
  });

  it("match the temperature-scaled, top-k and top-p distributions", async () => {
    const table = [0.1, 0.2, 0.3, 0.4];
    for (const settings of [{ temperature: 0.7 }, { topK: 2 }, { topP: 0.65 }, { temperature: 1.5, topK: 3 }]) {
      const expected = truncatedDistribution(
        temperatureScaled(table, settings.temperature ?? 1),
        settings.topK ?? 0,
        settings.topP ?? 1,
      );
      const { statistic, degrees } = chiSquare(await firstTokenCounts([1], settings, draws), expected);
      expect(statistic, JSON.stringify(settings)).toBeLessThan(chiSquareQuantile999(degrees));
    }
  });
});

describe("MarkovPolicy log-probs and entropies", () => {
  it("are exact, of the temperature-scaled distribution before truncation", async () => {
    const [generation] = await policy.generate([
      { prefix: [2], settings: { maxTokens: 6, seed: 5, temperature: 0.8, topK: 2 } },
    ]);
    expect(generation).toBeDefined();
    const { tokens, logprobs, entropies } = generation!;
    let previous = 2;
    for (let i = 0; i < tokens.length; i++) {
      const scaled = temperatureScaled(previous === 1 ? [0.1, 0.2, 0.3, 0.4] : [0.5, 0, 0.25, 0.25], 0.8);
      expect(logprobs[i]).toBe(Math.log(scaled[tokens[i] as number] as number));
      expect(entropies?.[i]).toBe(entropyOf(scaled));
      previous = tokens[i] as number;
    }
    expect(policy.nextTokenEntropy([2])).toBeCloseTo(-(0.5 * Math.log(0.5) + 0.5 * Math.log(0.25)), 15);
  });
});

describe("MarkovPolicy generation", () => {
  it("stops at eos (included), at a stop token, or at maxTokens", async () => {
    const deterministic = new MarkovPolicy({
      vocabularySize: 4,
      order: 1,
      eosToken: 0,
      probabilities: (context) =>
        [
          [0, 1, 0, 0],
          [0, 0, 1, 0],
          [0, 0, 0, 1],
          [1, 0, 0, 0],
        ][context[0] ?? 0] as number[],
    });
    const [toEos, toStop, toLength] = await deterministic.generate([
      { prefix: [1], settings: { maxTokens: 10 } },
      { prefix: [1], settings: { maxTokens: 10, stopTokens: [3] } },
      { prefix: [1], settings: { maxTokens: 1 } },
    ]);
    expect(Array.from(toEos!.tokens)).toEqual([2, 3, 0]);
    expect(toEos!.finishReason).toBe("eos");
    expect(Array.from(toStop!.tokens)).toEqual([2, 3]);
    expect(toStop!.finishReason).toBe("stop");
    expect(Array.from(toLength!.tokens)).toEqual([2]);
    expect(toLength!.finishReason).toBe("length");
  });

  it("gives the same tokens for the same prefix, settings and seed, whatever the batch", async () => {
    const request = { prefix: [1, 2], settings: { maxTokens: 12, seed: 99 } };
    const [alone] = await policy.generate([request]);
    const batch = await policy.generate([{ prefix: [2], settings: { maxTokens: 5, seed: 1 } }, request]);
    expect(Array.from(batch[1]!.tokens)).toEqual(Array.from(alone!.tokens));
  });

  it("rejects bad settings, tokens and tables with the place named", async () => {
    await expect(policy.generate([{ prefix: [1], settings: { maxTokens: 0 } }])).rejects.toThrow(
      /request 0: maxTokens/,
    );
    await expect(policy.generate([{ prefix: [1, 7], settings: { maxTokens: 2 } }])).rejects.toThrow(/prefix\[1\]/);
    const broken = new MarkovPolicy({ vocabularySize: 2, order: 1, eosToken: 0, probabilities: () => [0.5, 0.6] });
    await expect(broken.generate([{ prefix: [1], settings: { maxTokens: 1 } }])).rejects.toThrow(
      /context \[1\].*sums to 1.1/,
    );
    expect(() => new MarkovPolicy({ vocabularySize: 2, order: 1, eosToken: 2, probabilities: () => [1, 0] })).toThrow(
      /eosToken/,
    );
  });

  it("honours an abort signal", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      policy.generate([{ prefix: [1], settings: { maxTokens: 1 } }], { signal: controller.signal }),
    ).rejects.toThrow();
  });
});
