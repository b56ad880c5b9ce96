import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { RUN_FILES } from "@ibtpo/bench-harness";
import type { TrainConfig } from "../config/train-config.js";
import { createTask } from "../runtime/task-setup.js";
import { readRecordedTrainConfig, recordedTrainSettings } from "../train/run-config.js";
import { runTask } from "../train/run-task.js";
import { describeDifference, settingDifferences } from "./setting-differences.js";

/**
 * Settings as compared: `out` left out (it is the folder itself, however a command spells it) and
 * `init` made absolute, since compare's child runs start in compare's own folder, so a relative
 * path written then means the same checkpoint as it does now.
 */
function comparable(settings: TrainConfig): Record<string, unknown> {
  const { out: _out, ...rest } = settings;
  return { ...rest, init: resolve(settings.init) };
}

/**
 * Whether a run folder that compare would reuse or resume holds the run it asks for: the settings
 * its config.json records against those `ibtpo train` would record for `expected` (the task
 * options in effect included). Returns a message naming the folder and each differing key with
 * both values, or null when they agree or the folder has no config.json yet (a start interrupted
 * before writing it, which compare trains afresh). The recorded task options are completed with the
 * task's defaults: a run recorded before an option existed ran at that option's default.
 */
export async function reusedRunMismatch(runDirectory: string, expected: TrainConfig): Promise<string | null> {
  if (!existsSync(join(runDirectory, RUN_FILES.config))) return null;
  const saved = await readRecordedTrainConfig(runDirectory);
  const recorded = recordedTrainSettings(saved, createTask(saved.task, saved.taskOptions), runDirectory);
  const wanted = recordedTrainSettings(expected, await runTask(expected), runDirectory);
  const differences = settingDifferences(comparable(recorded), comparable(wanted));
  if (differences.length === 0) return null;
  return `run folder ${runDirectory} was made with other settings: ${differences.map(describeDifference).join("; ")}; remove the folder or choose another --out`;
}
