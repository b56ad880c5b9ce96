import type { Task } from "@ibtpo/bench-harness";
import { ConfigError } from "../config/config-error.js";
import type { TrainConfig } from "../config/train-config.js";
import { resolveCheckpoint } from "../runtime/resolve-checkpoint.js";
import { createTask } from "../runtime/task-setup.js";

/**
 * The task a run trains on, checked against its base checkpoint: the checkpoint's difficulty knobs
 * apply unless the config sets its own. `ibtpo train` records these options in config.json, and
 * `ibtpo compare` derives them the same way to tell whether a run folder holds the run it asks for.
 */
export async function runTask(config: Pick<TrainConfig, "init" | "task" | "taskOptions">): Promise<Task> {
  const base = await resolveCheckpoint(config.init);
  if (base.task !== null && base.task !== config.task) {
    throw new ConfigError(
      `config key "task" is ${config.task}, but the base checkpoint ${config.init} was trained on ${base.task}`,
    );
  }
  const taskOptions = Object.keys(config.taskOptions).length > 0 ? config.taskOptions : base.taskOptions;
  return createTask(config.task, taskOptions);
}
