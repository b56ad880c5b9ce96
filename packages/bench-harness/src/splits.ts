import { deriveSeedSplitMix32 } from "@ibtpo/random";
import { BenchHarnessError } from "./errors.js";
import { hashString } from "./random.js";
import type { Problem, Split, Task } from "./task.js";

/** Shares of the problem space given to each split; they must sum to 1. */
export interface SplitFractions {
  readonly train: number;
  readonly validation: number;
  readonly test: number;
}

export const DEFAULT_SPLIT_FRACTIONS: SplitFractions = { train: 0.8, validation: 0.1, test: 0.1 };

/**
 * The split a problem belongs to, decided by a hash of its canonical text (the rendered prompt)
 * salted with the task name. Because the split is a function of the problem itself, the same
 * problem can never land in two splits, whatever seeds generated it.
 *
 * @example
 * splitOf("countdown", "3 7 4 2>25\n"); // "train" | "validation" | "test"
 */
export function splitOf(
  taskName: string,
  canonical: string,
  fractions: SplitFractions = DEFAULT_SPLIT_FRACTIONS,
): Split {
  const sum = fractions.train + fractions.validation + fractions.test;
  if (Math.abs(sum - 1) > 1e-9 || fractions.train < 0 || fractions.validation < 0 || fractions.test < 0) {
    throw new BenchHarnessError(
      `must be non-negative and sum to 1, got ${JSON.stringify(fractions)}`,
      "split fractions",
    );
  }
  const position = hashString(`${taskName}\u0000${canonical}`) / 4294967296;
  if (position < fractions.train) return "train";
  if (position < fractions.train + fractions.validation) return "validation";
  return "test";
}

export interface SampleProblemsOptions {
  readonly split: Split;
  readonly count: number;
  /** Seed of the candidate stream; the same seed gives the same list. Default 0. */
  readonly seed?: number;
  readonly fractions?: SplitFractions;
  /** Candidates tried per requested problem before giving up. Default 200. */
  readonly attemptsPerProblem?: number;
}

/**
 * Draws `count` distinct problems of one split: candidates come from a seeded stream, each is
 * kept only when {@link splitOf} assigns it to the requested split and it is not a duplicate.
 *
 * @example
 * const test = sampleProblems(task, { split: "test", count: 200 });
 */
export function sampleProblems<Data>(task: Task<Data>, options: SampleProblemsOptions): Problem<Data>[] {
  const { split, count, seed = 0, fractions = DEFAULT_SPLIT_FRACTIONS, attemptsPerProblem = 200 } = options;
  if (!Number.isInteger(count) || count < 0)
    throw new BenchHarnessError(`count must be a non-negative integer, got ${count}`, "sampleProblems");
  const seen = new Set<string>();
  const problems: Problem<Data>[] = [];
  const attempts = Math.max(1, count) * attemptsPerProblem;
  for (let attempt = 0; attempt < attempts && problems.length < count; attempt++) {
    const problem = task.generate(deriveSeedSplitMix32(seed, attempt));
    if (seen.has(problem.prompt) || splitOf(task.name, problem.prompt, fractions) !== split) continue;
    seen.add(problem.prompt);
    problems.push(problem);
  }
  if (problems.length < count) {
    throw new BenchHarnessError(
      `found only ${problems.length} distinct ${split} problems of task "${task.name}" in ${attempts} draws (asked for ${count}); the problem space is too small for these options`,
      "sampleProblems",
    );
  }
  return problems;
}

/**
 * Throws if any prompt occurs in more than one of the given problem lists, naming the prompt and
 * the two lists; used to check that train, validation and test never overlap.
 */
export function assertDisjoint(lists: Readonly<Record<string, readonly { readonly prompt: string }[]>>): void {
  const owner = new Map<string, string>();
  for (const [name, problems] of Object.entries(lists)) {
    for (const problem of problems) {
      const previous = owner.get(problem.prompt);
      if (previous !== undefined && previous !== name) {
        throw new BenchHarnessError(
          `prompt ${JSON.stringify(problem.prompt)} is in both "${previous}" and "${name}"`,
          "splits overlap",
        );
      }
      owner.set(problem.prompt, name);
    }
  }
}
