import { Mulberry32 } from "@ibtpo/random";
import { hashString } from "../random.js";
import type { RunSpec } from "./run-comparison.js";
import type { RunResult } from "./run-folder.js";
import type { StepMetrics } from "./step-metrics.js";

/**
 * Made-up but plausible training curves for a run spec (seeded by algorithm, task and seed):
 * for trying the comparison runner and the report without training anything. Not results.
 *
 * @example
 * await runComparison({ algorithms: ["a", "b"], seeds: [1, 2], tasks: ["countdown"], tokenBudget: 1e5,
 *   run: async (spec) => syntheticRunResult(spec), outputDir: "/tmp/demo" });
 */
export function syntheticRunResult(spec: RunSpec, steps = 20): RunResult {
  const random = new Mulberry32(hashString(`${spec.algorithm}/${spec.task}/${spec.seed}`));
  const skill = 0.25 + 0.5 * (hashString(spec.algorithm) / 4294967296);
  const perStep = Math.floor(spec.tokenBudget / steps);
  const history: StepMetrics[] = [];
  for (let step = 0; step < steps; step++) {
    const progress = step / (steps - 1);
    const noise = () => (random.next() - 0.5) * 0.06;
    const accuracy = Math.min(1, Math.max(0, 0.1 + skill * progress + noise()));
    const entropy = 0.9 * Math.exp(-progress * (1.5 - skill)) + noise();
    const ibI = 0.05 + 0.1 * skill * Math.sin(Math.PI * progress) + noise() / 3;
    const trajectories = Math.round(perStep / (40 - 12 * skill));
    history.push({
      step,
      generatedTokens: perStep,
      accuracy,
      validationAccuracy: step % 5 === 4 || step === steps - 1 ? Math.max(0, accuracy - 0.05 + noise()) : null,
      avgRate: accuracy,
      effRate: Math.min(1, Math.max(0, 0.7 - 0.4 * progress * (1 - skill) + noise())),
      entropy,
      ibScore: entropy + ibI,
      ibCov: ibI / 2,
      ibConfidence: Math.exp(-entropy),
      ibH: entropy,
      ibI,
      trajectories,
      trajectoriesPer1kTokens: (1000 * trajectories) / perStep,
      loss: 0.1 * random.next(),
    });
  }
  const final = history[history.length - 1]?.accuracy ?? 0;
  return {
    history,
    evaluation: {
      problems: 200,
      samples: 16,
      passAt1Greedy: final,
      meanAtK: final * 0.9,
      passAtK: { "1": final * 0.9, "16": Math.min(1, final * 2) },
      meanTokens: 20 + 5 * random.next(),
      answerDiversity: 0.3 * (1 - final) + 0.05,
      wellFormedRate: 0.98,
      truncatedRate: 0.01,
      generatedTokens: 200 * 17 * 22,
      sampleIbScore: null,
    },
    config: { synthetic: true },
  };
}
