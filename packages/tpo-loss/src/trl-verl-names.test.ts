import { describe, expect, it } from "vitest";
import { trainingPreset } from "./presets.js";
import { optionForForeignName, trlVerlOptionNames } from "./trl-verl-names.js";

describe("TRL and verl option names", () => {
  it("point at options the presets accept", () => {
    for (const { option } of Object.values(trlVerlOptionNames)) {
      const [group, key] = option.includes(".") ? option.split(".") : [null, option];
      const preset = trainingPreset(group === "advantage" ? "grpo" : "ib-tpo") as unknown as Record<string, unknown>;
      const holder = group === null ? preset : (preset[group as string] as Record<string, unknown>);
      expect(holder, option).toHaveProperty(key as string);
    }
  });

  it("are found in snake_case, camelCase and dotted spellings", () => {
    expect(optionForForeignName("epsilon_high")).toEqual({ name: "epsilon_high", option: "loss.clipHigh" });
    expect(optionForForeignName("actor_rollout_ref.actor.clipRatioC")?.option).toBe("loss.dualClip");
    expect(optionForForeignName("maskTruncatedCompletions")?.option).toBe("maskTruncated");
    expect(optionForForeignName("beta")?.note).toBe("TRL's beta is the KL coefficient");
    expect(optionForForeignName("lambda")).toBeUndefined();
  });
});
