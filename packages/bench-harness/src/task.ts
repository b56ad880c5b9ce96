import type { Random } from "./random.js";

/** The three disjoint parts of a task's problem space. */
export type Split = "train" | "validation" | "test";

/** The step delimiter shared by every task: one reasoning step per line. */
export const STEP_DELIMITER = "\n";

/** One problem: its rendered prompt, the reference answer and the task's structured data. */
export interface Problem<Data = unknown> {
  /** Stable id derived from the task name and the prompt. */
  readonly id: string;
  /** The rendered prompt; it ends with the step delimiter so the response starts on a new line. */
  readonly prompt: string;
  /** A reference final answer (what a correct response's parsed answer equals). */
  readonly answer: string;
  readonly data: Data;
}

/** A response cut into steps, with its final answer (null when none can be read). */
export interface ParsedResponse {
  readonly steps: readonly string[];
  readonly answer: string | null;
  /** Every step matched the task's step syntax and there was at least one step. */
  readonly wellFormed: boolean;
}

/** The verdict on one response. */
export interface Verification {
  /** Reward in [0, 1]; 1 means solved. */
  readonly reward: number;
  /** The parsed final answer, or null when the response has none. */
  readonly answer: string | null;
  readonly wellFormed: boolean;
}

/** Anything that scores a response to a problem: a task, a custom dataset, a user function. */
export interface ResponseVerifier<Data = unknown> {
  verify(problem: Problem<Data>, response: string): Verification;
}

/**
 * A verifiable reasoning task: seeded problem generation, prompt rendering, response parsing, a
 * verifier, a generator of random legal trajectories for the SFT warm-up and a reference solver.
 * Prompts and responses use only the symbols of `vocabulary`; steps are separated by "\n".
 *
 * @example
 * const task = createCountdownTask();
 * const [problem] = sampleProblems(task, { split: "test", count: 1, seed: 0 });
 * task.verify(problem, task.solve(problem)!); // { reward: 1, answer: "25", wellFormed: true }
 */
export interface Task<Data = unknown> extends ResponseVerifier<Data> {
  readonly name: string;
  readonly stepDelimiter: typeof STEP_DELIMITER;
  /** Symbols (mostly single characters) that cover every prompt and response of the task. */
  readonly vocabulary: readonly string[];
  /** An upper bound on the length in symbols of a legal response; a sensible `maxTokens`. */
  readonly maxResponseSymbols: number;
  /** The difficulty knobs in force, for configs and reports. */
  readonly options: Readonly<Record<string, number>>;
  /** A problem drawn from the whole problem space (any split) by a seed. */
  generate(seed: number): Problem<Data>;
  renderPrompt(data: Data): string;
  parse(response: string): ParsedResponse;
  /** A response made of random legal moves; it may or may not solve the problem. */
  randomTrajectory(problem: Problem<Data>, random: Random): string;
  /** A correct response, or null when the problem has no solution. */
  solve(problem: Problem<Data>): string | null;
}

/** Splits a response into non-empty lines (a trailing delimiter or end-of-text padding is ignored). */
export function responseLines(response: string): string[] {
  const lines = response.split(STEP_DELIMITER);
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === "") lines.pop();
  return lines;
}
