import { SAMPLER_OPTION_SPECS, type SamplerOptionSpec } from "@ibtpo/tree-sampler";
import {
  ADVANTAGE_CHOICES,
  ADVANTAGE_DEFAULTS,
  ALGORITHMS,
  BACKENDS,
  ESTIMATORS,
  KL_ESTIMATORS,
  LOSS_AGGREGATIONS,
  SAMPLERS,
  TASKS,
  TOKEN_WEIGHTINGS,
} from "./package-choices.js";

const shownDefault = (value: unknown) => (value === Number.POSITIVE_INFINITY ? "Infinity" : String(value));

function samplerOptionLine(spec: SamplerOptionSpec): string {
  const letter = spec.letter === undefined ? "" : ` (${spec.letter})`;
  const choices = spec.kind === "choice" ? ` [${spec.choices.join(" | ")}]` : "";
  return `    sampler.${spec.name}${letter}${choices}, default ${shownDefault(spec.default)}: ${spec.doc}`;
}

/**
 * The `--help` section of the config keys whose values come from the packages: algorithms,
 * tasks, backends, every sampler with its options (names, letters, defaults and docs from
 * tree-sampler's table) and the advantage and loss choices of tpo-loss.
 */
export function trainConfigHelp(): string {
  const samplers = SAMPLERS.map((kind) => {
    const specs: readonly SamplerOptionSpec[] = SAMPLER_OPTION_SPECS[kind];
    return [`  ${kind}:`, ...specs.map(samplerOptionLine)].join("\n");
  });
  const advantage = Object.entries(ADVANTAGE_DEFAULTS).map(([key, value]) => {
    const choices = (ADVANTAGE_CHOICES as Readonly<Record<string, readonly string[]>>)[key];
    return `  advantage.${key}${choices === undefined ? "" : ` [${choices.join(" | ")}]`}, default ${shownDefault(value)}`;
  });
  return [
    "Config keys and their values (--config file or --set key=value):",
    `  algorithm: ${ALGORITHMS.join(" | ")}`,
    `  task: ${TASKS.join(" | ")}`,
    `  backend: ${BACKENDS.join(" | ")}`,
    `  sampler.kind (default: the algorithm's): ${SAMPLERS.join(" | ")}`,
    ...samplers,
    `  advantage.estimator (default: the algorithm's): ${ESTIMATORS.join(" | ")}`,
    ...advantage,
    `  loss.lossAggregation: ${LOSS_AGGREGATIONS.join(" | ")}`,
    `  loss.klEstimator: ${KL_ESTIMATORS.join(" | ")}`,
    `  tokenWeighting: ${TOKEN_WEIGHTINGS.join(" | ")}`,
  ].join("\n");
}
