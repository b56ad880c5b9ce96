import type { RunConfig, Task } from "@ibtpo/bench-harness";
import { type TrainConfig, trainConfigSchema } from "../config/train-config.js";
import { readRunConfig } from "../runtime/verify-run-folder.js";

/**
 * The whole run's generated-token allowance, as comparisons count it: B tokens per prompt, for
 * every prompt of every step.
 */
export function runTokenBudget(config: Pick<TrainConfig, "budget" | "promptsPerStep" | "steps">): number {
  return config.budget * config.promptsPerStep * config.steps;
}

/** What config.json records beside the train config: derived from it, for reports and readers. */
export interface RecordedRunFields {
  /** The algorithm's preset with every override applied. */
  readonly resolved: unknown;
  /** The sampler configuration the run used. */
  readonly samplerConfig: unknown;
}

/** The keys of a run's config.json that are derived from its settings rather than settings. */
export const RECORDED_ONLY_KEYS = ["tokenBudget", "resolved", "samplerConfig"] as const satisfies readonly (
  | keyof RecordedRunFields
  | "tokenBudget"
)[];

/** The train settings a run records: the config with the task's options in effect and the run folder. */
export function recordedTrainSettings(config: TrainConfig, task: Task, out: string): TrainConfig {
  return { ...config, taskOptions: { ...task.options }, out };
}

/** config.json of a run: the resolved train config plus the fields derived from it. */
export function runConfigRecord(config: TrainConfig, recorded: RecordedRunFields): RunConfig {
  return { ...config, tokenBudget: runTokenBudget(config), ...recorded };
}

/** The train config stored in a run's config.json, without the derived fields (for `--resume`). */
function savedTrainSettings(record: RunConfig): Record<string, unknown> {
  const settings: Record<string, unknown> = { ...record };
  for (const key of RECORDED_ONLY_KEYS) delete settings[key];
  return settings;
}

/** The train config a run folder's config.json records: what `--resume` continues with. */
export function readRecordedTrainConfig(runDirectory: string): Promise<TrainConfig> {
  return readRunConfig(runDirectory, trainConfigSchema, (saved) => savedTrainSettings(saved as unknown as RunConfig));
}
