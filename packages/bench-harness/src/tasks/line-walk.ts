import { Mulberry32 } from "@ibtpo/random";
import type { Random } from "../random.js";
import { type ParsedResponse, type Problem, STEP_DELIMITER, type Task, type Verification } from "../task.js";
import { checkedOption, parseLinesMatching, problemOf } from "./building-blocks.js";

export interface LineWalkData {
  /** Hop lengths, used in order, one per step. */
  readonly hops: readonly number[];
  /** Start position, 0-9. */
  readonly start: number;
  /** Goal position, 0-9: where the walk must be after the last hop. */
  readonly goal: number;
}

export interface LineWalkOptions {
  /** Hops per problem, so steps per correct response (2-8). Default 5. */
  readonly hops?: number;
  /** Longest hop (1-9). Default 3. */
  readonly maxHop?: number;
  /**
   * Extra copies of the landing digit that close each step (0-8; "3>777" with 2). Default 0. They
   * add tokens that follow from the step's one choice, as most tokens of a language model's
   * reasoning step follow from its first few: each step costs more tokens, the choices to learn
   * stay the same.
   */
  readonly landingEchoes?: number;
}

/** Positions are the digits 0-9. */
const LAST_POSITION = 9;

/** The positions one hop reaches from `at` without leaving 0-9: forward first, then back. */
export function lineWalkLandings(at: number, hop: number): number[] {
  return [at + hop, at - hop].filter((position) => position >= 0 && position <= LAST_POSITION);
}

/**
 * The response line of one hop from `from` to `to` ("3>7"): the hop's length, then where it lands,
 * written `1 + landingEchoes` times ("3>777" with 2 echoes).
 */
export const lineWalkStepText = (from: number, to: number, landingEchoes = 0): string =>
  `${Math.abs(to - from)}>${String(to).repeat(1 + landingEchoes)}`;

/** A step line: group 1 the hop, group 2 the landing, then the landing's echoes. */
const stepPattern = (landingEchoes: number): RegExp => new RegExp(`^(\\d)>(\\d)\\2{${landingEchoes}}$`);

/**
 * Which positions can still end at the goal: entry i holds the positions from which hops i, i+1,
 * ... can land on the goal (entry 0 decides whether the problem is solvable from its start, the
 * last entry is the goal alone). A landing is a good choice exactly when it is in the next entry.
 *
 * @example
 * lineWalkCanFinish({ hops: [2, 3], start: 2, goal: 1 }); // [{2, 6}, {4}, {1}]
 */
export function lineWalkCanFinish(data: LineWalkData): ReadonlySet<number>[] {
  const canFinish: Set<number>[] = [new Set([data.goal])];
  for (let index = data.hops.length - 1; index >= 0; index--) {
    const after = canFinish[0] as Set<number>;
    const before = new Set<number>();
    for (let at = 0; at <= LAST_POSITION; at++) {
      if (lineWalkLandings(at, data.hops[index] as number).some((to) => after.has(to))) before.add(at);
    }
    canFinish.unshift(before);
  }
  return canFinish;
}

/**
 * Line walk: positions 0-9 on a line, a list of hops and a start and a goal (the prompt
 * "3 1 2 3 1:4>6\n" gives hops 3, 1, 2, 3, 1, start 4, goal 6). Each line names the next hop and
 * the position it lands on, forward or back ("3>7", then "1>6"); the walk must stay in 0-9, use
 * every hop in order and end at the goal. The answer is the last position. A step needs one
 * prompt item (its hop) and the previous line, while the landing chosen at each step decides
 * which goals stay reachable: a solver must look ahead, a random walk only sometimes lands. The
 * choice is the landing digit itself, so a policy can learn to prefer landings near the goal.
 *
 * @example
 * const task = createLineWalkTask({ hops: 2 });
 * task.verify(problem, "3>7\n1>6"); // reward 1 for "3 1:4>6\n"
 */
export function createLineWalkTask(options: LineWalkOptions = {}): Task<LineWalkData> {
  const hopCount = checkedOption("line-walk", "hops", options.hops, 5, 2, 8);
  const maxHop = checkedOption("line-walk", "maxHop", options.maxHop, 3, 1, LAST_POSITION);
  const landingEchoes = checkedOption("line-walk", "landingEchoes", options.landingEchoes, 0, 0, 8);
  const linePattern = stepPattern(landingEchoes);
  const stepText = (from: number, to: number): string => lineWalkStepText(from, to, landingEchoes);
  const renderPrompt = (data: LineWalkData): string =>
    `${data.hops.join(" ")}:${data.start}>${data.goal}${STEP_DELIMITER}`;
  const parse = (response: string): ParsedResponse => parseLinesMatching(response, linePattern, 2);
  const task: Task<LineWalkData> = {
    name: "line-walk",
    stepDelimiter: STEP_DELIMITER,
    vocabulary: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ":", ">", " ", STEP_DELIMITER],
    maxResponseSymbols: (4 + landingEchoes) * hopCount - 1,
    options: { hops: hopCount, maxHop, landingEchoes },
    renderPrompt,
    generate(seed) {
      const random = new Mulberry32(seed);
      for (;;) {
        const hops = Array.from({ length: hopCount }, () => 1 + random.int(maxHop));
        const start = random.int(LAST_POSITION + 1);
        // The goal is where a random walk lands, so every problem has a solution.
        let at: number | null = start;
        for (const hop of hops) {
          const next = lineWalkLandings(at, hop);
          if (next.length === 0) {
            at = null;
            break;
          }
          at = random.pick(next);
        }
        if (at === null) continue;
        const data: LineWalkData = { hops, start, goal: at };
        return problemOf("line-walk", renderPrompt(data), String(at), data);
      }
    },
    parse,
    verify(problem: Problem<LineWalkData>, response: string): Verification {
      const parsed = parse(response);
      if (!parsed.wellFormed) return { reward: 0, answer: parsed.answer, wellFormed: false };
      const { hops, start, goal } = problem.data;
      const wrong: Verification = { reward: 0, answer: parsed.answer, wellFormed: true };
      if (parsed.steps.length > hops.length) return wrong;
      let at = start;
      for (const [index, step] of parsed.steps.entries()) {
        const [, hop, landed] = linePattern.exec(step) as RegExpExecArray;
        if (Number(hop) !== hops[index] || Math.abs(Number(landed) - at) !== Number(hop)) return wrong;
        at = Number(landed);
      }
      const solved = parsed.steps.length === hops.length && at === goal;
      return { reward: solved ? 1 : 0, answer: parsed.answer, wellFormed: true };
    },
    randomTrajectory(problem, random: Random) {
      const steps: string[] = [];
      let at = problem.data.start;
      // Each hop forward or back at random among the directions that stay in 0-9; a hop with
      // neither ends the walk.
      for (const hop of problem.data.hops) {
        const next = lineWalkLandings(at, hop);
        if (next.length === 0) break;
        const to = random.pick(next);
        steps.push(stepText(at, to));
        at = to;
      }
      return steps.join(STEP_DELIMITER);
    },
    solve(problem) {
      // Backwards from the goal, then forwards through landings that can still end there.
      const { hops, start } = problem.data;
      const canFinish = lineWalkCanFinish(problem.data);
      if (!canFinish[0]?.has(start)) return null;
      const steps: string[] = [];
      let at = start;
      for (const [index, hop] of hops.entries()) {
        const to = lineWalkLandings(at, hop).find((position) => canFinish[index + 1]?.has(position)) as number;
        steps.push(stepText(at, to));
        at = to;
      }
      return steps.join(STEP_DELIMITER);
    },
  };
  return task;
}
