import { Mulberry32 } from "@ibtpo/random";
import type { Random } from "../random.js";
import { type ParsedResponse, type Problem, STEP_DELIMITER, type Task, type Verification } from "../task.js";
import { checkedOption, parseLinesMatching, problemOf } from "./building-blocks.js";

export interface SortSwapsData {
  /** Distinct digits in scrambled order, e.g. "30741". */
  readonly digits: string;
  /** Most swaps allowed. */
  readonly budget: number;
}

export interface SortSwapsOptions {
  /** How many distinct digits (3-7). Default 4. */
  readonly length?: number;
  /** Fewest swaps a problem needs (1 to length - 1). Default 2. */
  readonly minSwaps?: number;
  /** Swaps allowed beyond the minimum (0-3). Default 0: only optimal sorts solve. */
  readonly slack?: number;
}

const STEP_PATTERN = /^(\d)(\d):(\d+)$/;

function swapped(state: string, first: number, second: number): string {
  const chars = state.split("");
  const held = chars[first] as string;
  chars[first] = chars[second] as string;
  chars[second] = held;
  return chars.join("");
}

const sortedDigits = (digits: string): string => digits.split("").sort().join("");

/** Selection by cycles: each swap puts one digit in its final place, which is optimal. */
function optimalSwaps(digits: string): string[] {
  const target = sortedDigits(digits);
  const steps: string[] = [];
  let state = digits;
  for (let position = 0; position < state.length; position++) {
    if (state[position] === target[position]) continue;
    const from = state.indexOf(target[position] as string, position + 1);
    state = swapped(state, position, from);
    steps.push(`${position + 1}${from + 1}:${state}`);
  }
  return steps;
}

/**
 * Sort by swaps: sort distinct digits in at most `budget` swaps (the prompt "30741 3\n" gives
 * the digits and the budget). Each line names two 1-based positions and the state after
 * swapping them ("14:34701"). The answer is the last state; it solves the problem when every
 * state is right, the last one is sorted, and the budget is kept.
 *
 * @example
 * const task = createSortSwapsTask({ length: 3 });
 * task.verify(problem, "13:123"); // reward 1 for "321 1\n"
 */
export function createSortSwapsTask(options: SortSwapsOptions = {}): Task<SortSwapsData> {
  const length = checkedOption("sort-swaps", "length", options.length, 4, 3, 7);
  const minSwaps = checkedOption("sort-swaps", "minSwaps", options.minSwaps, 2, 1, length - 1);
  const slack = checkedOption("sort-swaps", "slack", options.slack, 0, 0, 3);
  const renderPrompt = (data: SortSwapsData): string => `${data.digits} ${data.budget}${STEP_DELIMITER}`;
  const parse = (response: string): ParsedResponse => parseLinesMatching(response, STEP_PATTERN, 3);
  const task: Task<SortSwapsData> = {
    name: "sort-swaps",
    stepDelimiter: STEP_DELIMITER,
    vocabulary: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ":", " ", STEP_DELIMITER],
    maxResponseSymbols: (length - 1 + slack) * (length + 4),
    options: { length, minSwaps, slack },
    renderPrompt,
    generate(seed) {
      const random = new Mulberry32(seed);
      for (;;) {
        const digits = random.shuffled("0123456789".split("")).slice(0, length).join("");
        const needed = optimalSwaps(digits).length;
        if (needed < minSwaps) continue;
        const data: SortSwapsData = { digits, budget: needed + slack };
        return problemOf("sort-swaps", renderPrompt(data), sortedDigits(digits), data);
      }
    },
    parse,
    verify(problem: Problem<SortSwapsData>, response: string): Verification {
      const parsed = parse(response);
      if (!parsed.wellFormed) return { reward: 0, answer: parsed.answer, wellFormed: false };
      let state = problem.data.digits;
      for (const step of parsed.steps) {
        const [, first, second, claimed] = STEP_PATTERN.exec(step) as RegExpExecArray;
        const i = Number(first) - 1;
        const j = Number(second) - 1;
        if (i === j || i < 0 || j < 0 || i >= length || j >= length)
          return { reward: 0, answer: parsed.answer, wellFormed: true };
        state = swapped(state, i, j);
        if (state !== claimed) return { reward: 0, answer: parsed.answer, wellFormed: true };
      }
      const solved = state === problem.answer && parsed.steps.length <= problem.data.budget;
      return { reward: solved ? 1 : 0, answer: parsed.answer, wellFormed: true };
    },
    randomTrajectory(problem, random: Random) {
      const steps: string[] = [];
      let state = problem.data.digits;
      // Random swaps of two positions until sorted or the budget is spent.
      while (steps.length < problem.data.budget && state !== problem.answer) {
        const i = random.int(length);
        let j = random.int(length - 1);
        if (j >= i) j++;
        const [first, second] = i < j ? [i, j] : [j, i];
        state = swapped(state, first, second);
        steps.push(`${first + 1}${second + 1}:${state}`);
      }
      return steps.join(STEP_DELIMITER);
    },
    solve(problem) {
      return optimalSwaps(problem.data.digits).join(STEP_DELIMITER);
    },
  };
  return task;
}
