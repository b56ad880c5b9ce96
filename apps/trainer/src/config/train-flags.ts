import { RECORDED_ONLY_KEYS } from "../train/run-config.js";
import { flagOverrides } from "./flag-overrides.js";
import { type ConfigOverride, loadConfig } from "./load-config.js";
import { type TrainConfig, trainConfigSchema } from "./train-config.js";

/** The flags of `ibtpo train` that each set one config key. */
const TRAIN_KEY_FLAGS = {
  algo: "algorithm",
  task: "task",
  init: "init",
  steps: "steps",
  budget: "budget",
  seed: "seed",
  backend: "backend",
  out: "out",
} as const;

/** Values of {@link TRAIN_KEY_FLAGS}, as given on the command line (absent: not given). */
export type TrainKeyFlags = { readonly [flag in keyof typeof TRAIN_KEY_FLAGS]?: unknown };

/**
 * The config `ibtpo train` runs with: the config file, then the key flags (`--algo`, `--seed`...),
 * then every `--set`, then the schema's defaults. The file may be a run's config.json (its derived
 * fields are left out), so `-c <run>/config.json --out <new folder>` trains that run again. `ibtpo
 * compare` builds the config each of its runs trains with by the same call, to check a run folder
 * it would reuse.
 */
export function loadTrainConfig(
  file: string | undefined,
  keyFlags: TrainKeyFlags,
  sets: readonly ConfigOverride[],
): Promise<TrainConfig> {
  return loadConfig(
    trainConfigSchema,
    file,
    [...flagOverrides(keyFlags as Record<string, unknown>, TRAIN_KEY_FLAGS), ...sets],
    RECORDED_ONLY_KEYS,
  );
}

/** The `ibtpo train` arguments that give these key flags. */
export function trainKeyArguments(keyFlags: TrainKeyFlags): string[] {
  return Object.entries(keyFlags)
    .filter(([, value]) => value !== undefined)
    .flatMap(([flag, value]) => [`--${flag}`, String(value)]);
}
