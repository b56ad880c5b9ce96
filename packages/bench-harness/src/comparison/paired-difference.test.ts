import { describe, expect, it } from "vitest";
import { pairedDifferences } from "./paired-difference.js";
import type { StoredRun } from "./run-folder.js";

function run(algorithm: string, seed: number, meanAtK: number, task = "countdown"): StoredRun {
  return {
    config: { algorithm, task, seed },
    history: [{ step: 0, generatedTokens: 10, accuracy: 0 }],
    evaluation: { problems: 1, samples: 1, passAt1Greedy: 0, meanAtK, passAtK: {} },
  } as unknown as StoredRun;
}

describe("pairedDifferences", () => {
  it("pairs runs by seed and gives the mean difference with its interval", () => {
    const runs = [
      run("grpo", 1, 0.1),
      run("grpo", 2, 0.2),
      run("ib-tpo", 1, 0.15),
      run("ib-tpo", 2, 0.3),
      run("ib-tpo", 3, 0.9),
    ];
    const [row] = pairedDifferences(runs, "grpo", "meanAtK");
    expect(row?.seeds).toEqual([1, 2]);
    expect(row?.differences.map((value) => Number(value.toFixed(12)))).toEqual([0.05, 0.1]);
    expect(row?.interval.mean).toBeCloseTo(0.075, 12);
    // std of (0.05, 0.1) = 0.035355; t(0.975, 1) = 12.7062; half-width = 12.7062 * 0.035355 / sqrt(2)
    expect(row?.interval.halfWidth).toBeCloseTo(0.317655, 5);
  });

  it("keeps tasks apart and skips the baseline itself", () => {
    const runs = [run("grpo", 1, 0.1, "x"), run("a", 1, 0.3, "x"), run("grpo", 1, 0.5, "y"), run("a", 1, 0.4, "y")];
    const rows = pairedDifferences(runs, "grpo", "meanAtK");
    expect(rows.map((row) => [row.task, row.algorithm, Number(row.interval.mean.toFixed(12))])).toEqual([
      ["x", "a", 0.2],
      ["y", "a", -0.1],
    ]);
  });

  it("gives no row without a shared seed", () => {
    expect(pairedDifferences([run("grpo", 1, 0.1), run("a", 2, 0.3)], "grpo", "meanAtK")).toEqual([]);
  });
});
