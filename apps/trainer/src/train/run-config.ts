import type { RunConfig } from "@ibtpo/bench-harness";
import type { TrainConfig } from "../config/train-config.js";

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

const recordedOnly = ["tokenBudget", "resolved", "samplerConfig"] as const satisfies readonly (
  | keyof RecordedRunFields
  | "tokenBudget"
)[];

/** config.json of a run: the resolved train config plus the fields derived from it. */
export function runConfigRecord(config: TrainConfig, recorded: RecordedRunFields): RunConfig {
  return { ...config, tokenBudget: runTokenBudget(config), ...recorded };
}

/** The train config stored in a run's config.json, without the derived fields (for `--resume`). */
export function savedTrainSettings(record: RunConfig): Record<string, unknown> {
  const settings: Record<string, unknown> = { ...record };
  for (const key of recordedOnly) delete settings[key];
  return settings;
}
