import { BUILTIN_TASK_NAMES } from "@ibtpo/bench-harness";
import { BACKEND_ORDER } from "@ibtpo/policy-tfjs";
import {
  advantageEstimatorNames,
  defaultStepAdvantageOptions,
  ibAdvantageForms,
  informationGates,
  klEstimators,
  leafNormalisations,
  lossAggregations,
  presetNames,
  rewardScalings,
  stepProbabilityModes,
  stepSurprisalModes,
  tokenWeightings,
  treeRewardScales,
  valueEstimates,
} from "@ibtpo/tpo-loss";
import { SAMPLER_KINDS, SAMPLER_OPTION_SPECS, type SamplerOptionSpec } from "@ibtpo/tree-sampler";
import { describe, expect, it } from "vitest";
import { trainCommand } from "../commands/train-command.js";
import { resolveAlgorithm } from "../train/resolve-algorithm.js";
import { loadConfig } from "./load-config.js";
import {
  ADVANTAGE_CHOICES,
  ALGORITHMS,
  BACKENDS,
  ESTIMATORS,
  KL_ESTIMATORS,
  LOSS_AGGREGATIONS,
  SAMPLERS,
  TASKS,
  TOKEN_WEIGHTINGS,
} from "./package-choices.js";
import { trainConfigSchema } from "./train-config.js";

const samplerSpecs = (kind: (typeof SAMPLER_KINDS)[number]): readonly SamplerOptionSpec[] => SAMPLER_OPTION_SPECS[kind];

function trainHelp(): string {
  let text = "";
  trainCommand()
    .configureOutput({ writeOut: (chunk) => (text += chunk) })
    .outputHelp();
  return text;
}

describe("the trainer's name lists", () => {
  it("are the packages' own arrays, not copies", () => {
    expect(ALGORITHMS).toBe(presetNames);
    expect(TASKS).toBe(BUILTIN_TASK_NAMES);
    expect(BACKENDS).toEqual(["auto", ...BACKEND_ORDER]);
    expect(SAMPLERS).toBe(SAMPLER_KINDS);
    expect(ESTIMATORS).toBe(advantageEstimatorNames);
    expect(LOSS_AGGREGATIONS).toBe(lossAggregations);
    expect(KL_ESTIMATORS).toBe(klEstimators);
    expect(TOKEN_WEIGHTINGS).toBe(tokenWeightings);
    expect(ADVANTAGE_CHOICES).toEqual({
      scaleRewards: rewardScalings,
      ibAdvantage: ibAdvantageForms,
      stepProbability: stepProbabilityModes,
      rewardScale: treeRewardScales,
      informationGate: informationGates,
      valueEstimate: valueEstimates,
      leafNorm: leafNormalisations,
      surprisal: stepSurprisalModes,
    });
    expect(ADVANTAGE_CHOICES.leafNorm).toBe(leafNormalisations);
  });

  it("are the schema's choices, in the packages' order", () => {
    const shape = trainConfigSchema.shape;
    expect(shape.algorithm.unwrap().options).toEqual([...presetNames]);
    expect(shape.task.unwrap().options).toEqual([...BUILTIN_TASK_NAMES]);
    expect(shape.backend.unwrap().options).toEqual(["auto", ...BACKEND_ORDER]);
  });
});

describe("the train config schema", () => {
  it("accepts every preset, and each resolves to a working sampler and estimator", () => {
    for (const algorithm of presetNames) {
      const config = trainConfigSchema.parse({ algorithm });
      expect(resolveAlgorithm(config).preset.name).toBe(algorithm);
    }
  });

  it("accepts every sampler kind with each of its options at tree-sampler's default", () => {
    for (const kind of SAMPLER_KINDS) {
      const options = Object.fromEntries(
        samplerSpecs(kind)
          .filter((spec) => spec.default !== Number.POSITIVE_INFINITY)
          .map((spec) => [spec.name, spec.default]),
      );
      const config = trainConfigSchema.parse({ algorithm: "ib-tpo", sampler: { kind, ...options } });
      const resolved = resolveAlgorithm(config);
      expect(resolved.config.kind).toBe(kind);
      expect(resolved.sampler.name.startsWith(kind)).toBe(true);
    }
  });

  it("accepts every value of every advantage and loss choice tpo-loss lists", () => {
    for (const [key, choices] of Object.entries(ADVANTAGE_CHOICES)) {
      for (const value of choices)
        expect(trainConfigSchema.parse({ advantage: { [key]: value } }).advantage).toEqual({ [key]: value });
    }
    for (const key of Object.keys(defaultStepAdvantageOptions))
      expect(trainConfigSchema.shape.advantage.unwrap().shape).toHaveProperty(key);
    for (const lossAggregation of lossAggregations)
      expect(trainConfigSchema.parse({ loss: { lossAggregation } }).loss.lossAggregation).toBe(lossAggregation);
    for (const klEstimator of klEstimators)
      expect(trainConfigSchema.parse({ loss: { klEstimator } }).loss.klEstimator).toBe(klEstimator);
  });

  it("names the packages' lists in its errors", async () => {
    const quoted = (values: readonly string[]) => values.map((value) => JSON.stringify(value)).join(", ");
    await expect(loadConfig(trainConfigSchema, undefined, [{ path: "algorithm", value: "ppo" }])).rejects.toThrow(
      `config key "algorithm" (command line): must be one of ${quoted(presetNames)}`,
    );
    await expect(loadConfig(trainConfigSchema, undefined, [{ path: "sampler.kind", value: "beam" }])).rejects.toThrow(
      `must be one of ${quoted(SAMPLER_KINDS)}`,
    );
    await expect(
      loadConfig(trainConfigSchema, undefined, [{ path: "advantage.leafNorm", value: "cube" }]),
    ).rejects.toThrow(`must be one of ${quoted(leafNormalisations)}`);
  });

  it("leaves a sampler option's range to tree-sampler, and names the key and the range", () => {
    const config = trainConfigSchema.parse({ algorithm: "ib-tpo", sampler: { branches: 0 } });
    expect(() => resolveAlgorithm(config)).toThrow(
      /config key "sampler\.branches" \(sampler ib-tree\): must be an integer >= 1/,
    );
    const misplaced = trainConfigSchema.parse({ algorithm: "grpo", sampler: { forkPoints: 2 } });
    expect(() => resolveAlgorithm(misplaced)).toThrow(
      `config key "sampler.forkPoints" does not apply to sampler chains; its keys: ${samplerSpecs("chains")
        .map((spec) => spec.name)
        .join(", ")}`,
    );
  });
});

describe("ibtpo train --help", () => {
  it("lists every preset, task, backend, sampler option and choice the packages export", () => {
    const help = trainHelp();
    for (const name of [...presetNames, ...BUILTIN_TASK_NAMES, ...BACKEND_ORDER, ...SAMPLER_KINDS])
      expect(help).toContain(name);
    for (const kind of SAMPLER_KINDS) {
      for (const spec of samplerSpecs(kind)) expect(help).toContain(`sampler.${spec.name}`);
      for (const spec of samplerSpecs(kind)) expect(help).toContain(spec.doc);
    }
    for (const [key, choices] of Object.entries(ADVANTAGE_CHOICES))
      expect(help).toContain(`advantage.${key} [${choices.join(" | ")}]`);
    expect(help).toContain(presetNames.join(" | "));
  });
});
