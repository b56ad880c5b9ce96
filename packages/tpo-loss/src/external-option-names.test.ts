import { describe, expect, it } from "vitest";
import { externalOptionName, externalOptionNames } from "./external-option-names.js";
import { type PresetOverrides, trainingPreset } from "./presets.js";

// A valid value other than the default, for each key the table names.
const sampleValues: Record<string, unknown> = {
  "loss.klCoefficient": 0.01,
  "loss.klEstimator": "k1",
  "loss.clipLow": 0.3,
  "loss.clipHigh": 0.4,
  "loss.dualClip": 3,
  "loss.lossAggregation": "seq-mean-token-sum-norm",
  "loss.entropyCoefficient": 0.01,
  "advantage.scaleRewards": "none",
  maskTruncated: true,
};

describe("externalOptionNames", () => {
  it("maps the colliding TRL names away from the advantage options", () => {
    expect(externalOptionName("beta")?.ours).toBe("loss.klCoefficient");
    expect(externalOptionName("advantage.epsilon")?.ours).toBe("loss.clipLow");
    expect(externalOptionName("learning_rate")).toBeUndefined();
  });

  it("names only keys a preset accepts and applies", () => {
    for (const { name, ours } of externalOptionNames) {
      if (ours === null) continue;
      const value = sampleValues[ours];
      expect(value, `a sample value for ${ours}`).toBeDefined();
      const [group, key] = ours.includes(".") ? (ours.split(".") as [string, string]) : [undefined, ours];
      const overrides = (group === undefined ? { [key]: value } : { [group]: { [key]: value } }) as PresetOverrides;
      const preset = trainingPreset(group === "advantage" ? "grpo" : "ib-tpo", overrides) as unknown as Record<
        string,
        unknown
      >;
      const resolved = group === undefined ? preset[key] : (preset[group] as Record<string, unknown>)[key];
      expect(resolved, `${name} -> ${ours}`).toBe(value);
    }
  });
});
