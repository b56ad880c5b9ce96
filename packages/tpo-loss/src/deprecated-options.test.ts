import { afterEach, describe, expect, it } from "vitest";
import { setDeprecationWarningHandler } from "./deprecated-options.js";
import { grpoAdvantages } from "./grpo-advantages.js";
import { trainingPreset } from "./presets.js";

afterEach(() => setDeprecationWarningHandler(null));

describe("deprecated option names", () => {
  it("move advantage.beta to informationWeight and advantage.epsilon to stdEpsilon, warning once each", () => {
    const messages: string[] = [];
    setDeprecationWarningHandler((message) => messages.push(message));
    expect(trainingPreset("ib-tpo", { advantage: { beta: 2 } }).advantage).toMatchObject({ informationWeight: 2 });
    expect(trainingPreset("treerl", { advantage: { beta: 3 } }).advantage).toMatchObject({ informationWeight: 3 });
    expect(trainingPreset("grpo", { advantage: { epsilon: 0.01 } }).advantage).toMatchObject({ stdEpsilon: 0.01 });
    expect(trainingPreset("grpo", { advantage: { epsilon: 0.01 } }).advantage).not.toHaveProperty("epsilon");
    expect(messages).toEqual([
      "@ibtpo/tpo-loss: option 'advantage.beta' is deprecated, use 'advantage.informationWeight' (the weight of the information term; TRL's and verl's beta is the KL coefficient, here loss.klCoefficient)",
      "@ibtpo/tpo-loss: option 'advantage.epsilon' is deprecated, use 'advantage.stdEpsilon' (it is added to the reward std; TRL's epsilon is the clip range, here loss.clipLow)",
    ]);
  });

  it("gives the same numbers under the old name, and warns on direct calls too", () => {
    const messages: string[] = [];
    setDeprecationWarningHandler((message) => messages.push(message));
    expect(grpoAdvantages([1, 0], [2], { epsilon: 0.5 })).toEqual(grpoAdvantages([1, 0], [2], { stdEpsilon: 0.5 }));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain("option 'epsilon' is deprecated, use 'stdEpsilon'");
  });

  it("renames dynamicSampling to dropZeroVarianceGroups", () => {
    const messages: string[] = [];
    setDeprecationWarningHandler((message) => messages.push(message));
    expect(trainingPreset("grpo", { dynamicSampling: true }).dropZeroVarianceGroups).toBe(true);
    expect(messages[0]).toContain("'dynamicSampling' is deprecated, use 'dropZeroVarianceGroups'");
  });

  it("rejects the old and the new name together", () => {
    setDeprecationWarningHandler(() => {});
    expect(() => trainingPreset("ib-tpo", { advantage: { beta: 2, informationWeight: 3 } })).toThrow(
      "option advantage.beta: is the deprecated name of 'informationWeight'; give only 'informationWeight'",
    );
  });
});
