import { describe, expect, it } from "vitest";
import { ReasoningTree } from "./reasoning-tree.js";
import { checkStepProbabilityMode, stepProbability, stepProbabilityModes } from "./step-probability.js";

describe("stepProbability", () => {
  it("is exp(mean log-prob) for 'geometric' and exp(sum) for 'product'", () => {
    const tree = new ReasoningTree();
    const c = tree.addStep(tree.root, { tokens: [1, 2], logprobs: [-0.2, -0.4] });
    expect(stepProbability(tree, c, "geometric")).toBeCloseTo(Math.exp(-0.3), 15);
    expect(stepProbability(tree, c, "product")).toBeCloseTo(Math.exp(-0.6), 15);
  });

  it("uses the mean log-probs over a merged node's draws", () => {
    const tree = new ReasoningTree();
    const c = tree.addStep(tree.root, { tokens: [1], logprobs: [-0.1] });
    tree.addStep(tree.root, { tokens: [1], logprobs: [-0.3] });
    expect(stepProbability(tree, c, "product")).toBeCloseTo(Math.exp(-0.2), 15);
  });

  it("lists its modes and rejects others by name", () => {
    expect(stepProbabilityModes).toEqual(["geometric", "product"]);
    expect(checkStepProbabilityMode("product")).toBe("product");
    expect(() => checkStepProbabilityMode("mean")).toThrow(
      "option stepProbability: stepProbability must be one of 'geometric', 'product', got 'mean'",
    );
  });
});
