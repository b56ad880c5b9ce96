import { ReasoningTree } from "@ibtpo/ib-score";
import { describe, expect, it } from "vitest";
import { drawWeightedValues } from "./draw-weighted-values.js";
import { ibTpoStepAdvantages } from "./ib-tpo-advantages.js";
import { branchedTree, handBuiltTree } from "./worked-trees.test-helper.js";

describe("drawWeightedValues", () => {
  it("averages a node's draws, not the trajectories below it (worked by hand)", () => {
    // a's draws c = 1, d = 0, e = 1: v(a) = 2/3. The root's draws a and b: (2/3 + 0) / 2 = 1/3,
    // where the leaf mean gives v(root) = 2/4 because a's branches add trajectories below a.
    const value = drawWeightedValues(branchedTree(), 0);
    expect(Array.from(value)).toEqual([(2 / 3 + 0) / 2, 2 / 3, 1, 0, 0, 1]);
  });

  it("equals the leaf mean in a prefix tree of i.i.d. responses", () => {
    const tree = handBuiltTree();
    const leafMean = Array.from({ length: tree.size }, (_, node) => tree.rewardSum(node) / tree.trajectoryCount(node));
    const value = drawWeightedValues(tree, 0);
    for (let node = 0; node < tree.size; node++) expect(value[node]).toBeCloseTo(leafMean[node] as number, 12);
  });

  it("adds the pseudo-count to each node's draws", () => {
    // alpha 1: v(c) = (1 + 1) / (1 + 2); v(a) = (2/3 + 1/3 + 2/3 + 1) / (3 + 2).
    const value = drawWeightedValues(branchedTree(), 1);
    expect(value[2]).toBeCloseTo(2 / 3, 12);
    expect(value[1]).toBeCloseTo((2 / 3 + 1 / 3 + 2 / 3 + 1) / 5, 12);
  });

  it("counts rewards ending at an inner node as draws there, and gives unfinished steps 0", () => {
    const tree = new ReasoningTree();
    const a = tree.addStep(tree.root, { tokens: [1], logprobs: [-0.1] });
    tree.addTrajectory(a, 1); // ends at a
    tree.addTrajectory(tree.addStep(a, { tokens: [2], logprobs: [-0.1] }), 0);
    tree.addStep(a, { tokens: [3], logprobs: [-0.1] }); // never finished
    expect(Array.from(drawWeightedValues(tree, 0))).toEqual([1 / 2, 1 / 2, 0, 0]);
  });
});

describe("ibTpoStepAdvantages with valueEstimate 'draw-weighted'", () => {
  it("uses the draw-weighted values in A_GL and in the paper form's r", () => {
    const tree = branchedTree();
    const parts = ibTpoStepAdvantages(tree, { valueEstimate: "draw-weighted" });
    // Rewards 1, 0, 0, 1: Bessel std sqrt(1/3). v(root) = 1/3, v(a) = 2/3, v(b) = 0.
    const scale = Math.sqrt(1 / 3) + 1e-4;
    expect(parts.global[1]).toBeCloseTo((2 / 3 - 1 / 3) / scale, 12);
    expect(parts.global[3]).toBeCloseTo((0 - 1 / 3) / scale, 12);
    // r(a) = (2/3) / (1/3) = 2; pi(a) = exp(-0.5) (geometric mean of its token probabilities).
    expect(parts.informationBottleneck[1]).toBeCloseTo((2 - 1.2) * Math.exp(-0.5), 12);
    // The leaf mean gives v(root) = 1/2 and r(a) = (2/3) / (1/2).
    const leafMean = ibTpoStepAdvantages(tree);
    expect(leafMean.global[1]).toBeCloseTo((2 / 3 - 1 / 2) / scale, 12);
    expect(leafMean.informationBottleneck[1]).toBeCloseTo((4 / 3 - 1.2) * Math.exp(-0.5), 12);
  });

  it("gives the leaf mean's advantages on a prefix tree of i.i.d. responses", () => {
    const tree = handBuiltTree();
    const drawn = ibTpoStepAdvantages(tree, { valueEstimate: "draw-weighted" }).advantage;
    const leafMean = ibTpoStepAdvantages(tree).advantage;
    for (let node = 0; node < tree.size; node++) expect(drawn[node]).toBeCloseTo(leafMean[node] as number, 12);
  });

  it("names the option and its choices on a bad value", () => {
    expect(() => ibTpoStepAdvantages(branchedTree(), { valueEstimate: "mean" as never })).toThrow(
      /valueEstimate.*leaf-mean.*draw-weighted/,
    );
  });
});
