import { Mulberry32 } from "@ibtpo/random";
import type { Random } from "../random.js";
import { type ParsedResponse, STEP_DELIMITER, type Task, type Verification } from "../task.js";
import { checkedOption, parseLinesMatching, problemOf } from "./building-blocks.js";

export interface CountdownData {
  readonly numbers: readonly number[];
  readonly target: number;
}

export interface CountdownOptions {
  /** How many starting numbers (2-5). Default 4. */
  readonly numbers?: number;
  /** Starting numbers are drawn from 1..maxNumber (2-20). Default 9. */
  readonly maxNumber?: number;
  /** Largest target (10-999). Default 99. */
  readonly maxTarget?: number;
  /**
   * Fewest steps a solution needs (1 to numbers - 1). Default 1. With more, only problems whose
   * target no shorter chain reaches are drawn, and the SFT trajectories are that long too, so
   * every correct response has at least this many steps: a testbed where trees have depth.
   */
  readonly minSteps?: number;
}

type Operator = "+" | "-" | "*" | "/";
const OPERATORS: readonly Operator[] = ["+", "-", "*", "/"];
const STEP_PATTERN = /^(\d+)([+\-*/])(\d+)=(\d+)$/;

function apply(left: number, operator: Operator, right: number): number | null {
  if (operator === "+") return left + right;
  if (operator === "*") return left * right;
  // Intermediate values stay positive integers, as in the Countdown game.
  if (operator === "-") return left > right ? left - right : null;
  return right !== 0 && left % right === 0 ? left / right : null;
}

/** One random legal step on the pool (which it updates), or null if the pool has < 2 numbers. */
function randomStep(pool: number[], random: Random): string | null {
  if (pool.length < 2) return null;
  const i = random.int(pool.length);
  let j = random.int(pool.length - 1);
  if (j >= i) j++;
  const left = pool[i] as number;
  const right = pool[j] as number;
  const legal = OPERATORS.filter((operator) => apply(left, operator, right) !== null);
  const operator = random.pick(legal);
  const result = apply(left, operator, right) as number;
  pool.splice(Math.max(i, j), 1);
  pool.splice(Math.min(i, j), 1);
  pool.push(result);
  return `${left}${operator}${right}=${result}`;
}

function takeFromPool(pool: number[], value: number): boolean {
  const index = pool.indexOf(value);
  if (index < 0) return false;
  pool.splice(index, 1);
  return true;
}

/** A solution of at most `depth` steps found depth-first, or null. */
function searchSolution(pool: readonly number[], target: number, depth: number): string[] | null {
  if (depth === 0) return null;
  for (let i = 0; i < pool.length; i++) {
    for (let j = 0; j < pool.length; j++) {
      if (i === j) continue;
      for (const operator of OPERATORS) {
        const result = apply(pool[i] as number, operator, pool[j] as number);
        if (result === null) continue;
        const step = `${pool[i]}${operator}${pool[j]}=${result}`;
        if (result === target) return [step];
        const rest = pool.filter((_, index) => index !== i && index !== j);
        rest.push(result);
        const tail = searchSolution(rest, target, depth - 1);
        if (tail !== null) return [step, ...tail];
      }
    }
  }
  return null;
}

/**
 * Countdown: reach the target from a few small numbers, one operation per line ("7*3=21").
 * Each number (given or computed) is used at most once; subtraction must stay positive and
 * division exact. The answer is the result of the last step. Prompt: "3 7 4 2>25\n".
 *
 * @example
 * const task = createCountdownTask({ numbers: 3 });
 * task.verify(problem, "7*3=21\n21+4=25"); // reward 1 when the target is 25 and 7, 3, 4 are given
 */
export function createCountdownTask(options: CountdownOptions = {}): Task<CountdownData> {
  const count = checkedOption("countdown", "numbers", options.numbers, 4, 2, 5);
  const maxNumber = checkedOption("countdown", "maxNumber", options.maxNumber, 9, 2, 20);
  const maxTarget = checkedOption("countdown", "maxTarget", options.maxTarget, 99, 10, 999);
  const minSteps = checkedOption("countdown", "minSteps", options.minSteps, 1, 1, count - 1);
  // Chains of minSteps..count-1 steps; with minSteps 1 this draws exactly as before.
  const drawLength = (random: Random): number => minSteps + random.int(count - minSteps);
  const renderPrompt = (data: CountdownData): string => `${data.numbers.join(" ")}>${data.target}${STEP_DELIMITER}`;
  const parse = (response: string): ParsedResponse => parseLinesMatching(response, STEP_PATTERN, 4);
  const task: Task<CountdownData> = {
    name: "countdown",
    stepDelimiter: STEP_DELIMITER,
    vocabulary: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "-", "*", "/", "=", " ", ">", STEP_DELIMITER],
    // In a step "a*b=c" no value exceeds maxNumber^numbers, so each has at most that many digits;
    // plus the operator, "=" and "\n"; the longest legal response has numbers - 1 steps.
    maxResponseSymbols: (count - 1) * (3 * String(maxNumber ** count).length + 3),
    options: { numbers: count, maxNumber, maxTarget, minSteps },
    renderPrompt,
    generate(seed) {
      const random = new Mulberry32(seed);
      for (;;) {
        const numbers = Array.from({ length: count }, () => 1 + random.int(maxNumber));
        const pool = numbers.slice();
        // The target is where a random legal chain of 1..count-1 steps ends, so it is reachable.
        const steps = drawLength(random);
        for (let s = 0; s < steps; s++) randomStep(pool, random);
        const target = pool[pool.length - 1] as number;
        const shorterExists = minSteps > 1 && searchSolution(numbers, target, minSteps - 1) !== null;
        if (target <= maxTarget && target > 0 && !numbers.includes(target) && !shorterExists) {
          const data = { numbers, target };
          return problemOf("countdown", renderPrompt(data), String(target), data);
        }
      }
    },
    parse,
    verify(problem, response): Verification {
      const parsed = parse(response);
      if (!parsed.wellFormed) return { reward: 0, answer: parsed.answer, wellFormed: false };
      const pool = problem.data.numbers.slice();
      for (const step of parsed.steps) {
        const [, left, operator, right, claimed] = STEP_PATTERN.exec(step) as RegExpExecArray;
        const result = apply(Number(left), operator as Operator, Number(right));
        const legal =
          result !== null &&
          result === Number(claimed) &&
          takeFromPool(pool, Number(left)) &&
          takeFromPool(pool, Number(right));
        if (!legal) return { reward: 0, answer: parsed.answer, wellFormed: true };
        pool.push(result);
      }
      return { reward: parsed.answer === String(problem.data.target) ? 1 : 0, answer: parsed.answer, wellFormed: true };
    },
    randomTrajectory(problem, random) {
      const pool = problem.data.numbers.slice();
      const steps: string[] = [];
      const length = drawLength(random);
      // Stops on reaching the target: a legal chain that hits it is done.
      while (steps.length < length && pool[pool.length - 1] !== problem.data.target) {
        const step = randomStep(pool, random);
        if (step === null) break;
        steps.push(step);
        if (pool[pool.length - 1] === problem.data.target) break;
      }
      return steps.join(STEP_DELIMITER);
    },
    solve(problem) {
      // Iterative deepening, so the solution found is a shortest one.
      for (let depth = minSteps; depth < problem.data.numbers.length; depth++) {
        const steps = searchSolution(problem.data.numbers, problem.data.target, depth);
        if (steps !== null) return steps.join(STEP_DELIMITER);
      }
      return null;
    },
  };
  return task;
}
