import { describe, expect, it } from "vitest";
import { chiSquare, chiSquareQuantile999 } from "./chi-square.test-helper.js";
import {
  createReferencePolicy,
  REFERENCE_DELIMITER,
  REFERENCE_EOS,
  REFERENCE_FIRST_SYMBOL,
  REFERENCE_QUESTION_END,
} from "./reference-policy.js";
import { createReferenceTask } from "./reference-task.js";

const TOP = REFERENCE_FIRST_SYMBOL + 9;

describe("createReferencePolicy", () => {
  it("gives valid distributions with the documented structure", () => {
    const policy = createReferencePolicy({ seed: 4 });
    const afterQuestion = policy.nextTokenProbabilities([5, REFERENCE_QUESTION_END]);
    expect(afterQuestion[REFERENCE_EOS]).toBe(0);
    expect(afterQuestion[REFERENCE_DELIMITER]).toBe(0);
    // The first symbol is level 0, 1 or 2 (the progress kernel from level 0).
    for (let level = 3; level < 10; level++) expect(afterQuestion[REFERENCE_FIRST_SYMBOL + level]).toBe(0);
    const midway = policy.nextTokenProbabilities([REFERENCE_FIRST_SYMBOL + 4, REFERENCE_FIRST_SYMBOL + 5]);
    expect(midway[REFERENCE_EOS]).toBe(0);
    expect(midway[REFERENCE_DELIMITER]).toBe(0.2);
    const top = policy.nextTokenProbabilities([REFERENCE_FIRST_SYMBOL + 4, TOP]);
    expect(top[REFERENCE_EOS]).toBe(0.25);
    const afterDelimiter = policy.nextTokenProbabilities([REFERENCE_FIRST_SYMBOL + 6, REFERENCE_DELIMITER]);
    expect(afterDelimiter[REFERENCE_FIRST_SYMBOL + 4]).toBe(0);
    expect(afterDelimiter[REFERENCE_FIRST_SYMBOL + 5]).toBeGreaterThan(0);
  });

  it("ends after any symbol in the geometric model", () => {
    const policy = createReferencePolicy({ seed: 4, lengthModel: "geometric" });
    expect(policy.nextTokenProbabilities([REFERENCE_QUESTION_END, REFERENCE_FIRST_SYMBOL])[REFERENCE_EOS]).toBe(0.05);
  });

  it("is a function of the seed", () => {
    const context = [REFERENCE_FIRST_SYMBOL + 2, REFERENCE_FIRST_SYMBOL + 3];
    const a = createReferencePolicy({ seed: 1 }).nextTokenProbabilities(context);
    expect(createReferencePolicy({ seed: 1 }).nextTokenProbabilities(context)).toEqual(a);
    expect(createReferencePolicy({ seed: 2 }).nextTokenProbabilities(context)).not.toEqual(a);
  });

  it("samples its exact probabilities (chi-square below the 0.999 quantile)", async () => {
    const policy = createReferencePolicy({ seed: 9 });
    const prefix = [REFERENCE_FIRST_SYMBOL + 3, REFERENCE_FIRST_SYMBOL + 5];
    const requests = Array.from({ length: 20_000 }, (_, seed) => ({ prefix, settings: { maxTokens: 1, seed } }));
    const counts = new Array(policy.vocabularySize).fill(0);
    for (const generation of await policy.generate(requests)) counts[generation.tokens[0] as number]++;
    const { statistic, degrees } = chiSquare(counts, policy.nextTokenProbabilities(prefix));
    expect(degrees).toBeGreaterThanOrEqual(4);
    expect(statistic).toBeLessThan(chiSquareQuantile999(degrees));
  });

  it("rejects bad options by name", () => {
    expect(() => createReferencePolicy({ stepEndProbability: 1.2 })).toThrow(/stepEndProbability/);
    expect(() => createReferencePolicy({ symbols: 0 })).toThrow(/symbols/);
    expect(() => createReferencePolicy({ lengthModel: "uniform" as "geometric" })).toThrow(/lengthModel/);
  });
});

describe("createReferenceTask", () => {
  const task = createReferenceTask({ prompts: 6, seed: 3 });

  it("makes prompts of symbols ending with the question end, with moduli in [2, 6]", () => {
    expect(task.prompts).toHaveLength(6);
    for (const [index, prompt] of task.prompts.entries()) {
      expect(prompt).toHaveLength(5);
      expect(prompt[4]).toBe(REFERENCE_QUESTION_END);
      const modulus = task.moduli[index] as number;
      expect(modulus >= 2 && modulus <= 6).toBe(true);
      const symbolSum = Array.from(prompt.slice(0, 4)).reduce((sum, token) => sum + token - REFERENCE_FIRST_SYMBOL, 0);
      expect(task.targets[index]).toBe(symbolSum % modulus);
    }
  });

  it("rewards the answer line's symbol sum modulo m, only after eos", () => {
    const modulus = task.moduli[0] as number;
    const target = task.targets[0] as number;
    // Answer line: one symbol of value `target`, after a first line that must not count.
    const right = Int32Array.from([
      REFERENCE_FIRST_SYMBOL + 1,
      REFERENCE_DELIMITER,
      REFERENCE_FIRST_SYMBOL + target,
      REFERENCE_EOS,
    ]);
    const wrong = Int32Array.from([REFERENCE_FIRST_SYMBOL + ((target + 1) % modulus), REFERENCE_EOS]);
    expect(task.reward(0, right, "eos")).toBe(1);
    expect(task.reward(0, wrong, "eos")).toBe(0);
    expect(task.reward(0, right.slice(0, 3), "length")).toBe(0);
    expect(task.answer(0, right, right.slice(2))).toBe(String(target));
    expect(task.answer(0, Int32Array.from([REFERENCE_DELIMITER, REFERENCE_EOS]), new Int32Array(0))).toBeNull();
    expect(() => task.reward(6, right, "eos")).toThrow(/prompt 6/);
  });
});
