import {
  type BuiltinTaskName,
  createBuiltinTask,
  type Problem,
  sampleProblems,
  type Task,
  type TextCodec,
} from "@ibtpo/bench-harness";
import type { SymbolTokenizer } from "@ibtpo/policy-tfjs";
import { seedStreams } from "@ibtpo/random";
import { ConfigError } from "../config/config-error.js";

/** A built-in task with its difficulty knobs; an unknown knob is a config error naming it. */
export function createTask(name: BuiltinTaskName, options: Record<string, number>): Task {
  const task = createBuiltinTask(name, options);
  const unknown = Object.keys(options).filter((key) => !(key in task.options));
  if (unknown.length > 0) {
    throw new ConfigError(
      `config key "taskOptions.${unknown[0]}": task ${name} has no such option; allowed: ${Object.keys(task.options).join(", ")}`,
    );
  }
  return task;
}

/** Prompt text <-> token ids for a policy trained with `tokenizer`; prompts start with BOS. */
export function promptTokens(tokenizer: SymbolTokenizer, problem: Problem): Int32Array {
  return tokenizer.encode(problem.prompt, { bos: true });
}

/** The codec evaluation uses: plain symbols, no specials (evaluation adds BOS itself). */
export function tokenizerCodec(tokenizer: SymbolTokenizer): TextCodec {
  return {
    encode: (text) => tokenizer.encode(text),
    decode: (tokens) => tokenizer.decode(tokens),
  };
}

/**
 * The problems of step `step` of a run: drawn from the train split with a seed derived from the
 * run seed and the step, so a resumed run sees exactly the problems it would have seen.
 */
export function stepProblems(task: Task, runSeed: number, step: number, count: number): Problem[] {
  return sampleProblems(task, { split: "train", count, seed: seedStreams.trainProblems(runSeed, step) });
}

/** The longest prompt plus the longest legal response (with BOS and EOS), rounded up to 8. */
export function defaultContextLength(task: Task, seed: number): number {
  const problems = sampleProblems(task, { split: "train", count: 500, seed });
  const longestPrompt = Math.max(...problems.map((problem) => problem.prompt.length));
  return Math.ceil((longestPrompt + task.maxResponseSymbols + 2) / 8) * 8;
}
