import { deriveSeedSplitMix32, Mulberry32 } from "@ibtpo/random";
import { BenchHarnessError } from "./errors.js";
import { passAtK } from "./evaluation/pass-at-k.js";
import type { Problem, Task } from "./task.js";

export interface TrajectoryCalibration {
  readonly problems: number;
  /** Samples per problem. */
  readonly samples: number;
  /** Mean reward of one random legal trajectory (pass@1 of the stand-in policy). */
  readonly passAt1: number;
  /** Unbiased pass@k of the stand-in policy, k = samples. */
  readonly passAtK: number;
  /** Share of problems the reference solver solves (should be 1). */
  readonly solverAccuracy: number;
  /** Mean length in symbols of prompt plus random trajectory. */
  readonly meanSymbols: number;
  /** Longest prompt plus random trajectory or solution, in symbols. */
  readonly maxSymbols: number;
}

/**
 * Measures how hard a task is for its own random-legal-trajectory generator, the stand-in for a
 * policy fresh from SFT on such trajectories: pass@1 and pass@k over the given problems.
 *
 * @example
 * const problems = sampleProblems(task, { split: "test", count: 500 });
 * calibrateWithRandomTrajectories(task, problems, { samples: 16, seed: 0 }).passAt1;
 */
export function calibrateWithRandomTrajectories<Data>(
  task: Task<Data>,
  problems: readonly Problem<Data>[],
  options: { readonly samples?: number; readonly seed?: number } = {},
): TrajectoryCalibration {
  const { samples = 16, seed = 0 } = options;
  if (problems.length === 0) throw new BenchHarnessError("no problems", "calibrateWithRandomTrajectories");
  let rewardSum = 0;
  let passSum = 0;
  let solved = 0;
  let symbols = 0;
  let maxSymbols = 0;
  problems.forEach((problem, index) => {
    const random = new Mulberry32(deriveSeedSplitMix32(seed, index));
    let correct = 0;
    for (let s = 0; s < samples; s++) {
      const response = task.randomTrajectory(problem, random);
      const { reward } = task.verify(problem, response);
      rewardSum += reward;
      if (reward >= 1) correct++;
      symbols += problem.prompt.length + response.length;
      maxSymbols = Math.max(maxSymbols, problem.prompt.length + response.length);
    }
    passSum += passAtK(samples, correct, samples);
    const solution = task.solve(problem);
    if (solution !== null) {
      maxSymbols = Math.max(maxSymbols, problem.prompt.length + solution.length);
      if (task.verify(problem, solution).reward >= 1) solved++;
    }
  });
  const draws = problems.length * samples;
  return {
    problems: problems.length,
    samples,
    passAt1: rewardSum / draws,
    passAtK: passSum / problems.length,
    solverAccuracy: solved / problems.length,
    meanSymbols: symbols / draws,
    maxSymbols,
  };
}
