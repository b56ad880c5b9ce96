import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { isRunFolder, RUN_FILES, type Split, sampleProblems, type Task } from "@ibtpo/bench-harness";
import { ConfigError } from "./config-error.js";

/** Largest problem count one draw may ask for: a count the problem space cannot hold fails at once, not after hours. */
const MAX_PROBLEMS = 20_000;
/** Largest `promptsPerStep`: every prompt of a step is sampled and kept in memory together. */
export const MAX_PROMPTS_PER_STEP = 4096;

/**
 * Check that `count` problems of `split` can be drawn, by drawing them now (bounded by
 * {@link MAX_PROBLEMS}); `key` names the config key or flag in the error.
 */
export function precheckProblemCount(task: Task, split: Split, count: number, key: string, max = MAX_PROBLEMS): void {
  if (!Number.isInteger(count) || count < 1 || count > max) {
    throw new ConfigError(`${key}: must be an integer in [1, ${max}], got ${JSON.stringify(count)}`);
  }
  try {
    sampleProblems(task, { split, count, seed: 0 });
  } catch (error) {
    throw new ConfigError(`${key}: ${(error as Error).message.replace(/^sampleProblems: /, "")}`);
  }
}

/**
 * Check that the per-prompt budget holds at least one whole response of the task (the longest
 * response the sampler may generate), or every step would sample nothing.
 */
export function precheckBudget(budget: number, responseLength: number): void {
  if (budget < responseLength) {
    throw new ConfigError(
      `config key "budget": ${budget} tokens per prompt cannot hold one response of up to ${responseLength} tokens; set budget >= ${responseLength} (or lower maxResponseLength)`,
    );
  }
}

/**
 * Files that may stand in a folder before its run starts: `ibtpo compare` opens each run's log
 * before it starts the run.
 */
const FILES_BEFORE_A_RUN: ReadonlySet<string> = new Set([RUN_FILES.log]);

/**
 * Check an output folder before anything is written: it must be a folder (or not exist yet, under
 * an existing folder or one that can be created), and be empty or already hold what `accepts`
 * recognises; a folder of other files is never overwritten.
 */
export function precheckOutputFolder(
  directory: string,
  key: string,
  accepts: (directory: string) => boolean = isRunFolder,
  what = "a run",
): void {
  const path = resolve(directory);
  if (!existsSync(path)) {
    let parent = dirname(path);
    while (!existsSync(parent)) parent = dirname(parent);
    if (!statSync(parent).isDirectory())
      throw new ConfigError(`${key}: ${parent} is a file, so ${path} cannot be created`);
    return;
  }
  if (!statSync(path).isDirectory()) throw new ConfigError(`${key}: ${path} is a file, not a folder`);
  const entries = readdirSync(path).filter((name) => !FILES_BEFORE_A_RUN.has(name));
  if (entries.length > 0 && !accepts(path)) {
    throw new ConfigError(
      `${key}: ${path} holds other files and is not ${what}; choose an empty or new folder (nothing was written)`,
    );
  }
}

/** Check an output file's folder exists before a long computation whose result it would hold. */
export function precheckOutputFile(file: string, key: string): void {
  const path = resolve(file);
  const folder = dirname(path);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new ConfigError(`${key}: folder ${folder} does not exist; create it first`);
  }
  if (existsSync(path) && statSync(path).isDirectory())
    throw new ConfigError(`${key}: ${path} is a folder, not a file`);
}
