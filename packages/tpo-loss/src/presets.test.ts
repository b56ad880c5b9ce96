import { describe, expect, it } from "vitest";
import { resolvePolicyLossOptions } from "./loss-options.js";
import { createAdvantageEstimator, presetKlCoefficient, presetNames, trainingPreset } from "./presets.js";
import { treeRlStepAdvantages } from "./treerl-advantages.js";
import { handBuiltTree } from "./worked-trees.test-helper.js";

describe("trainingPreset", () => {
  it("lists the seven presets", () => {
    expect(presetNames).toEqual(["grpo", "dr-grpo", "dapo", "grpo-entropy", "grpo-clip-higher", "treerl", "ib-tpo"]);
  });

  it("reproduces the usual setups", () => {
    const summary = (name: (typeof presetNames)[number]) => {
      const preset = trainingPreset(name);
      return [
        preset.sampler,
        preset.advantage.estimator,
        preset.loss.clipLow,
        preset.loss.clipHigh,
        preset.loss.lossAggregation,
        preset.loss.entropyCoefficient,
        preset.dropZeroVarianceGroups,
        preset.tokenWeighting,
      ];
    };
    expect(summary("grpo")).toEqual(["chains", "grpo", 0.2, 0.2, "seq-mean-token-mean", 0, false, "per-trajectory"]);
    expect(summary("dr-grpo")).toEqual([
      "chains",
      "grpo",
      0.2,
      0.2,
      "seq-mean-token-sum-norm",
      0,
      false,
      "per-trajectory",
    ]);
    expect(summary("dapo")).toEqual(["chains", "grpo", 0.2, 0.28, "token-mean", 0, true, "per-trajectory"]);
    expect(summary("grpo-entropy")).toEqual([
      "chains",
      "grpo",
      0.2,
      0.2,
      "seq-mean-token-mean",
      0.03,
      false,
      "per-trajectory",
    ]);
    expect(summary("grpo-clip-higher")).toEqual([
      "chains",
      "grpo",
      0.2,
      0.28,
      "seq-mean-token-mean",
      0,
      false,
      "per-trajectory",
    ]);
    expect(summary("treerl")).toEqual(["entropy-tree", "treerl", 0.2, 0.2, "token-mean", 0, false, "per-trajectory"]);
    expect(summary("ib-tpo")).toEqual(["ib-tree", "ib-tpo", 0.2, 0.2, "token-mean", 0, false, "per-trajectory"]);
    expect(trainingPreset("dr-grpo").advantage).toEqual({ estimator: "grpo", scaleRewards: "none", stdEpsilon: 1e-4 });
    expect(trainingPreset("ib-tpo").advantage).toEqual({
      estimator: "ib-tpo",
      ibAdvantage: "paper",
      lambda: 0.1,
      informationWeight: 5,
      stepProbability: "geometric",
      rewardScale: "tree-std",
      stdEpsilon: 1e-4,
      informationGate: "always",
      informationAlpha: 0.5,
      valueAlpha: 0,
      valueEstimate: "leaf-mean",
      localValue: 0,
      leafNorm: "none",
      surprisal: "token-mean",
    });
    expect(trainingPreset("treerl").advantage).toMatchObject({
      lambda: 0,
      localValue: 1,
      leafNorm: "sqrt",
      rewardScale: "none",
    });
    for (const name of presetNames) expect(trainingPreset(name).maskTruncated).toBe(false);
    expect(trainingPreset("grpo", { maskTruncated: true }).maskTruncated).toBe(true);
  });

  it("gives every preset the paper's KL coefficient of 0.001, which an override replaces", () => {
    expect(presetKlCoefficient).toBe(0.001);
    for (const name of presetNames) {
      expect(trainingPreset(name).loss).toMatchObject({ klCoefficient: 0.001, klEstimator: "k3" });
      expect(trainingPreset(name, { loss: { klCoefficient: 0 } }).loss.klCoefficient).toBe(0);
    }
    // The library's own default needs no reference policy.
    expect(resolvePolicyLossOptions().klCoefficient).toBe(0);
  });

  it("merges overrides and rejects the ones that do not apply", () => {
    const preset = trainingPreset("ib-tpo", {
      advantage: { lambda: 0.3 },
      loss: { klCoefficient: 0.001, clipHigh: 0.28 },
      sampler: "chains",
    });
    expect(preset.advantage).toMatchObject({ estimator: "ib-tpo", lambda: 0.3, informationWeight: 5 });
    expect(preset.loss).toMatchObject({ clipLow: 0.2, clipHigh: 0.28, klCoefficient: 0.001, klEstimator: "k3" });
    expect(preset.sampler).toBe("chains");
    expect(trainingPreset("dapo", { advantage: { estimator: "ib-tpo" } }).advantage).toMatchObject({ lambda: 0.1 });
    expect(() => trainingPreset("grpo", { advantage: { lambda: 0.2 } })).toThrow(
      /option advantage.lambda: does not apply to estimator 'grpo'/,
    );
    expect(() => trainingPreset("grpo", { tokenWeighting: "dedup" })).toThrow(/option tokenWeighting/);
    expect(() => trainingPreset("ib-tpo", { advantage: { scaleRewards: "none" } })).toThrow(
      /option advantage.scaleRewards: does not apply to estimator 'ib-tpo'/,
    );
    expect(() => trainingPreset("ib-tpo", { advantage: { rewardScale: "group" as "none" } })).toThrow(
      "option advantage.rewardScale: must be one of 'tree-std', 'none', got 'group'",
    );
    // stdEpsilon belongs to both families.
    expect(trainingPreset("ib-tpo", { advantage: { stdEpsilon: 0.01 } }).advantage).toMatchObject({ stdEpsilon: 0.01 });
    expect(() => trainingPreset("grpo", { loss: { clipLow: 1.5 } })).toThrow(/option clipLow/);
    expect(() => trainingPreset("ppo" as "grpo")).toThrow(/unknown preset 'ppo'/);
  });

  it("builds the estimator its settings describe", () => {
    const estimator = createAdvantageEstimator(trainingPreset("treerl").advantage);
    expect(estimator.kind === "step" && estimator.name).toBe("treerl");
    if (estimator.kind !== "step") return;
    const tree = handBuiltTree();
    expect(estimator.stepAdvantages([tree])[0]).toEqual(treeRlStepAdvantages(tree).advantage);
    expect(createAdvantageEstimator(trainingPreset("dr-grpo").advantage).name).toBe("dr-grpo");
  });
});
