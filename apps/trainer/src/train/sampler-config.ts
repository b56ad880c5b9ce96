import type { SamplerKind } from "@ibtpo/tpo-loss";
import { createSampler, type Sampler, type SamplerConfig } from "@ibtpo/tree-sampler";
import { ConfigError } from "../config/config-error.js";
import type { TrainConfig } from "../config/train-config.js";

type SamplerOverrides = TrainConfig["sampler"];

/**
 * Defaults of each sampler for the trainer: every sampler spends the whole token budget, so
 * algorithms compare at equal generated tokens (chains draw i.i.d. responses until it is spent).
 */
const defaults: Record<SamplerKind | "random-tree", Omit<SamplerOverrides, "kind" | "maxDepth" | "budgetCut">> = {
  chains: {},
  "ib-tree": {},
  "random-tree": {},
  "entropy-tree": { initialChains: 2, forkPoints: 2, rounds: 64, branches: 2 },
};

const keysOf: Record<SamplerKind | "random-tree", readonly string[]> = {
  chains: ["responses"],
  "ib-tree": ["initialChains", "rounds", "nodesPerRound", "branches"],
  "random-tree": ["initialChains", "rounds", "nodesPerRound", "branches"],
  "entropy-tree": ["initialChains", "forkPoints", "rounds", "branches"],
};

/** The sampler of a run: the algorithm's kind unless overridden, with the config's settings. */
export function samplerFor(
  presetKind: SamplerKind,
  overrides: SamplerOverrides,
): { sampler: Sampler; config: SamplerConfig } {
  const kind = overrides.kind ?? presetKind;
  const settings: Record<string, unknown> = { ...defaults[kind] };
  for (const [key, value] of Object.entries(overrides)) {
    if (key === "kind" || key === "maxDepth" || key === "budgetCut" || value === undefined) continue;
    if (!keysOf[kind].includes(key)) {
      throw new ConfigError(
        `config key "sampler.${key}" does not apply to sampler ${kind}; its keys: ${keysOf[kind].join(", ")}`,
      );
    }
    settings[key] = value;
  }
  // Chains without a count fill the budget, four responses per prompt per generate call.
  const config = (
    kind === "chains"
      ? { kind, responses: settings.responses ?? Number.POSITIVE_INFINITY, perIteration: settings.responses ?? 4 }
      : { kind, ...settings }
  ) as SamplerConfig;
  return { sampler: createSampler(config), config };
}
