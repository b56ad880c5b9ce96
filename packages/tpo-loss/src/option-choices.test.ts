import { describe, expect, it } from "vitest";
import { resolvePolicyLossOptions } from "./loss-options.js";
import {
  advantageEstimatorNames,
  klEstimators,
  leafNormalisations,
  lossAggregations,
  rewardScalings,
  samplerKinds,
  stepSurprisalModes,
  tokenWeightings,
} from "./option-choices.js";
import { trainingPreset } from "./presets.js";

describe("option choices", () => {
  it("are the values the resolvers accept, and the error lists them", () => {
    for (const lossAggregation of lossAggregations) {
      expect(resolvePolicyLossOptions({ lossAggregation }).lossAggregation).toBe(lossAggregation);
    }
    for (const klEstimator of klEstimators)
      expect(resolvePolicyLossOptions({ klEstimator }).klEstimator).toBe(klEstimator);
    expect(() => resolvePolicyLossOptions({ klEstimator: "k4" as never })).toThrow(
      `option klEstimator: must be one of ${klEstimators.map((name) => `'${name}'`).join(", ")}, got 'k4'`,
    );
  });

  it("reach the presets: every sampler, token weighting and estimator option value is accepted", () => {
    for (const sampler of samplerKinds) expect(trainingPreset("ib-tpo", { sampler }).sampler).toBe(sampler);
    for (const tokenWeighting of tokenWeightings) {
      expect(trainingPreset("treerl", { tokenWeighting }).tokenWeighting).toBe(tokenWeighting);
    }
    for (const estimator of advantageEstimatorNames) {
      expect(trainingPreset("grpo", { advantage: { estimator } }).advantage.estimator).toBe(estimator);
    }
    for (const scaleRewards of rewardScalings) {
      expect(trainingPreset("grpo", { advantage: { scaleRewards } }).advantage).toMatchObject({ scaleRewards });
    }
    for (const leafNorm of leafNormalisations) {
      expect(trainingPreset("treerl", { advantage: { leafNorm } }).advantage).toMatchObject({ leafNorm });
    }
    for (const surprisal of stepSurprisalModes) {
      expect(trainingPreset("ib-tpo", { advantage: { surprisal } }).advantage).toMatchObject({ surprisal });
    }
    expect(() => trainingPreset("grpo", { sampler: "beam" as never })).toThrow("option sampler: must be one of");
  });
});
