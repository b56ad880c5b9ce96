import { deriveSeedSplitMix32, Mulberry32 } from "@ibtpo/random";
import { BenchHarnessError } from "./errors.js";
import { hashString } from "./random.js";
import type { Problem, Task } from "./task.js";

/** A prompt and a response to imitate. */
export interface SftExample {
  readonly problemId: string;
  readonly prompt: string;
  readonly response: string;
}

/**
 * Random legal trajectories for the SFT warm-up: `perProblem` per problem, seeded by the problem's prompt,
 * so the list does not depend on how many problems come before. They teach the format and the
 * legal moves; some solve their problem by chance, most do not.
 *
 * @example
 * const train = sampleProblems(task, { split: "train", count: 5000 });
 * const examples = sftExamples(task, train, { perProblem: 2, seed: 1 });
 */
export function sftExamples<Data>(
  task: Task<Data>,
  problems: readonly Problem<Data>[],
  options: { readonly perProblem?: number; readonly seed?: number } = {},
): SftExample[] {
  const { perProblem = 1, seed = 0 } = options;
  if (!Number.isInteger(perProblem) || perProblem < 1)
    throw new BenchHarnessError(`perProblem must be a positive integer, got ${perProblem}`, "sftExamples");
  return problems.flatMap((problem) => {
    const random = new Mulberry32(deriveSeedSplitMix32(seed, hashString(problem.prompt)));
    return Array.from({ length: perProblem }, () => ({
      problemId: problem.id,
      prompt: problem.prompt,
      response: task.randomTrajectory(problem, random),
    }));
  });
}
