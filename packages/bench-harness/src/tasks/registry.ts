import { BenchHarnessError } from "../errors.js";
import type { Task } from "../task.js";
import { type CountdownOptions, createCountdownTask } from "./countdown.js";
import { createGraphPathTask, type GraphPathOptions } from "./graph-path.js";
import { createLineWalkTask, type LineWalkOptions } from "./line-walk.js";
import { createSortSwapsTask, type SortSwapsOptions } from "./sort-swaps.js";

/** Names of the built-in tasks. */
export const BUILTIN_TASK_NAMES = ["countdown", "graph-path", "line-walk", "sort-swaps"] as const;
export type BuiltinTaskName = (typeof BUILTIN_TASK_NAMES)[number];

/** Difficulty knobs of each built-in task, by name. */
export interface BuiltinTaskOptions {
  readonly countdown: CountdownOptions;
  readonly "graph-path": GraphPathOptions;
  readonly "line-walk": LineWalkOptions;
  readonly "sort-swaps": SortSwapsOptions;
}

/**
 * Creates a built-in task by name (for configs and the CLI).
 *
 * @example
 * const task = createBuiltinTask("graph-path", { nodes: 10 });
 */
export function createBuiltinTask<Name extends BuiltinTaskName>(
  name: Name,
  options: BuiltinTaskOptions[Name] = {},
): Task {
  switch (name) {
    case "countdown":
      return createCountdownTask(options as CountdownOptions) as Task;
    case "graph-path":
      return createGraphPathTask(options as GraphPathOptions) as Task;
    case "line-walk":
      return createLineWalkTask(options as LineWalkOptions) as Task;
    case "sort-swaps":
      return createSortSwapsTask(options as SortSwapsOptions) as Task;
    default:
      throw new BenchHarnessError(
        `unknown task "${String(name)}"; built-in tasks: ${BUILTIN_TASK_NAMES.join(", ")}`,
        "createBuiltinTask",
      );
  }
}
