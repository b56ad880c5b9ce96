import type { SamplerKind } from "@ibtpo/tpo-loss";
import {
  createSampler,
  SAMPLER_OPTION_SPECS,
  type Sampler,
  type SamplerConfig,
  type SamplerOptionSpec,
  TreeSamplerError,
} from "@ibtpo/tree-sampler";
import { ConfigError } from "../config/config-error.js";
import type { TrainConfig } from "../config/train-config.js";

type SamplerOverrides = TrainConfig["sampler"];

/** Keys of `sampler.*` that are options of the sample call, not of the sampler. */
const sampleKeys = new Set(["kind", "maxDepth", "budgetCut"]);

/**
 * The sampler of a run: the algorithm's kind unless overridden, with the config's settings over
 * tree-sampler's defaults. Every sampler spends the whole token budget, so algorithms compare at
 * equal generated tokens (chains draw i.i.d. responses until it is spent).
 */
export function samplerFor(
  presetKind: SamplerKind,
  overrides: SamplerOverrides,
): { sampler: Sampler; config: SamplerConfig } {
  const kind = overrides.kind ?? presetKind;
  const specs: readonly SamplerOptionSpec[] = SAMPLER_OPTION_SPECS[kind];
  const names = specs.map((spec) => spec.name);
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(overrides)) {
    if (sampleKeys.has(key) || value === undefined) continue;
    if (!names.includes(key)) {
      throw new ConfigError(
        `config key "sampler.${key}" does not apply to sampler ${kind}; its keys: ${names.join(", ")}`,
      );
    }
    settings[key] = value;
  }
  // A chains run with a response count asks for all of them in one generate call.
  if (kind === "chains" && settings.responses !== undefined && settings.perIteration === undefined) {
    settings.perIteration = settings.responses;
  }
  const config = { kind, ...settings } as SamplerConfig;
  try {
    return { sampler: createSampler(config), config };
  } catch (error) {
    if (!TreeSamplerError.isInstance(error) || error.location === undefined) throw error;
    const key = error.location.replace(/^option /, "");
    const message = error.message.slice(error.location.length + 2);
    throw new ConfigError(`config key "sampler.${key}" (sampler ${kind}): ${message}`);
  }
}
