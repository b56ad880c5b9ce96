import {
  type AdvantageEstimator,
  type AdvantageOverrides,
  createAdvantageEstimator,
  type PresetName,
  trainingPreset,
} from "@ibtpo/tpo-loss";
import { ConfigError } from "../config/config-error.js";

/** The estimators `ibtpo advantages` offers: the presets' advantage settings under their names. */
export const advantageEstimatorChoices = [
  "ib-tpo",
  "treerl",
  "grpo",
  "dr-grpo",
] as const satisfies readonly PresetName[];
export type AdvantageEstimatorChoice = (typeof advantageEstimatorChoices)[number];

/**
 * The estimator of the preset `name` with `overrides` (advantage option keys of tpo-loss, e.g.
 * `lambda`, `scaleRewards`) merged in: the same settings `ibtpo train --algorithm name` uses.
 * A bad key or value is a {@link ConfigError} naming it.
 */
export function advantageEstimatorFor(
  name: AdvantageEstimatorChoice,
  overrides: AdvantageOverrides = {},
): AdvantageEstimator {
  try {
    return createAdvantageEstimator(trainingPreset(name, { advantage: overrides }).advantage);
  } catch (error) {
    if (error instanceof Error && "location" in error && typeof error.location === "string") {
      throw new ConfigError(`estimator ${name}: ${error.message}`);
    }
    throw error;
  }
}
