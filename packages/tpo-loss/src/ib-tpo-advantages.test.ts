import { ReasoningTree } from "@ibtpo/ib-score";
import { describe, expect, it } from "vitest";
import { ibTpoStepAdvantages } from "./ib-tpo-advantages.js";
import { treeRlStepAdvantages } from "./treerl-advantages.js";
import { handBuiltTree, nodes } from "./worked-trees.test-helper.js";

const { a, b, c, d } = nodes;
/** H_b written out again here, so the test does not lean on the code it checks. */
const Hb = (x: number) => -x * Math.log(x) - (1 - x) * Math.log(1 - x);
const slope = (x: number) => Math.log((1 - x) / x);

/** The option values that reproduce this project's first IB-TPO advantages (README table). */
const earlier = { ibAdvantage: "score-function", informationWeight: 1, rewardScale: "none", leafNorm: "sqrt" } as const;

describe("ibTpoStepAdvantages, score-function form (docs/METHOD.md 5.2), on the hand-built tree", () => {
  // Values (alpha 0): v(root) = 3/4, v(a) = 2/3, v(b) = 1, v(c) = 1, v(d) = 0.
  const global = { a: 2 / 3 - 3 / 4, b: 1 / 4, c: 1 / 4, d: -3 / 4 };
  const local = { a: 2 / 3 - 3 / 4, b: 1 / 4, c: 1 / 3, d: -2 / 3 };
  // Surprisal (token mean): u(a) = 0.3, u(b) = 1.5, u(c) = 0.1, u(d) = 1.5.
  // Root's children weigh 3/4 (a) and 1/4 (b): mean u = 0.6. a's children weigh 2/3 (c) and 1/3 (d): mean 17/30.
  const entropy = { a: 0.3 - 0.6, b: 1.5 - 0.6, c: 0.1 - 17 / 30, d: 1.5 - 17 / 30 };
  // Information values (alpha 0.5): v(a) = 2.5/4, v(b) = 1.5/2, v(c) = 2.5/3, v(d) = 0.5/2.
  const vi = { a: 0.625, b: 0.75, c: 2.5 / 3, d: 0.25 };
  const rootBar = 0.75 * vi.a + 0.25 * vi.b; // 0.65625
  const rootHbar = 0.75 * Hb(vi.a) + 0.25 * Hb(vi.b);
  const aBar = (2 / 3) * vi.c + (1 / 3) * vi.d; // 23/36
  const aHbar = (2 / 3) * Hb(vi.c) + (1 / 3) * Hb(vi.d);
  const information = {
    a: slope(rootBar) * (vi.a - rootBar) - (Hb(vi.a) - rootHbar),
    b: slope(rootBar) * (vi.b - rootBar) - (Hb(vi.b) - rootHbar),
    c: slope(aBar) * (vi.c - aBar) - (Hb(vi.c) - aHbar),
    d: slope(aBar) * (vi.d - aBar) - (Hb(vi.d) - aHbar),
  };
  const trajectories = { a: 3, b: 1, c: 2, d: 1 };
  const names = ["a", "b", "c", "d"] as const;

  it("matches every part worked by hand with the option values of the earlier definition", () => {
    expect(rootBar).toBe(0.65625);
    const parts = ibTpoStepAdvantages(handBuiltTree(), earlier);
    for (const name of names) {
      const node = nodes[name];
      expect(parts.global[node]).toBeCloseTo(global[name], 12);
      expect(parts.localValueTerm[node]).toBeCloseTo(local[name], 12);
      expect(parts.entropyPart[node]).toBeCloseTo(entropy[name], 12);
      expect(parts.informationPart[node]).toBeCloseTo(information[name], 12);
      const ib = entropy[name] + information[name];
      expect(parts.informationBottleneck[node]).toBeCloseTo(ib, 12);
      expect(parts.advantage[node]).toBeCloseTo((global[name] + 0.1 * ib) / Math.sqrt(trajectories[name]), 12);
    }
    // Spot values to 4 decimals, by hand: H_b'(0.65625) = ln(0.34375 / 0.65625) = -0.646627,
    // H_b(0.625) = 0.661563, H_b(0.75) = 0.562335, so A_I(a) = -0.646627 x -0.03125 - (0.661563 - 0.636756).
    expect(parts.informationPart[a]).toBeCloseTo(-0.0046, 4);
    // A_I(d) = 0.147363, A_H(d) = 0.933333: A(d) = -0.75 + 0.1 x 1.080696.
    expect(parts.advantage[d]).toBeCloseTo(-0.6419, 4);
    expect(parts.advantage[0]).toBe(0);
  });

  it("applies lambda, informationWeight, localValue, leafNorm and token-sum surprisal", () => {
    const parts = ibTpoStepAdvantages(handBuiltTree(), {
      ...earlier,
      lambda: 0.5,
      informationWeight: 2,
      localValue: 0.25,
      leafNorm: "none",
      surprisal: "token-sum",
    });
    // Token-sum surprisal: u(a) = 0.6, u(b) = 1.5 (mean 0.825); u(c) = 0.1, u(d) = 3 (mean 1.0666...).
    const summed = { a: 0.6 - 0.825, b: 1.5 - 0.825, c: 0.1 - 3.2 / 3, d: 3 - 3.2 / 3 };
    for (const name of names) {
      const expected = global[name] + 0.5 * (summed[name] + 2 * information[name]) + 0.25 * local[name];
      expect(parts.advantage[nodes[name]]).toBeCloseTo(expected, 12);
    }
  });

  it("makes A_IB zero under a parent with one child, and skips nodes with no trajectory", () => {
    const tree = new ReasoningTree();
    const only = tree.addStep(0, { tokens: [1], logprobs: [-0.5] });
    const left = tree.addStep(only, { tokens: [2], logprobs: [-0.1] });
    const right = tree.addStep(only, { tokens: [3], logprobs: [-0.9] });
    const unfinished = tree.addStep(only, { tokens: [4], logprobs: [-0.3] });
    tree.addTrajectory(left, 1);
    tree.addTrajectory(right, 0);
    const parts = ibTpoStepAdvantages(tree, { ...earlier, leafNorm: "none" });
    expect(parts.informationBottleneck[only]).toBe(0);
    expect(parts.advantage[only]).toBe(0); // v(only) = v(root)
    expect(parts.advantage[unfinished]).toBe(0);
    // The unfinished sibling still counts in the entropy mean (it was drawn), not in the information part.
    expect(parts.entropyPart[left]).toBeCloseTo(0.1 - (0.1 + 0.9 + 0.3) / 3, 12);
    const infoLeft = 0.75; // (1 + 0.5) / 2
    const infoRight = 0.25;
    const expectedInformation = 0 * (infoLeft - 0.5) - (Hb(infoLeft) - (Hb(infoLeft) + Hb(infoRight)) / 2);
    expect(parts.informationPart[left]).toBeCloseTo(expectedInformation, 12);
  });

  it("keeps the information part finite with alpha 0 when all siblings fail", () => {
    const tree = new ReasoningTree();
    tree.addTrajectory(tree.addStep(0, { tokens: [1], logprobs: [-0.5] }), 0);
    tree.addTrajectory(tree.addStep(0, { tokens: [2], logprobs: [-0.5] }), 0);
    const parts = ibTpoStepAdvantages(tree, { ...earlier, informationAlpha: 0 });
    expect(Array.from(parts.informationPart)).toEqual([0, 0, 0]);
  });

  it("applies the information gate and the tree-std reward scale in this form too", () => {
    // Both children fail: zero reward variance, but their surprisals differ, so A_H is not 0.
    const tree = new ReasoningTree();
    const low = tree.addStep(0, { tokens: [1], logprobs: [-0.2] });
    tree.addTrajectory(low, 0);
    tree.addTrajectory(tree.addStep(0, { tokens: [2], logprobs: [-1.2] }), 0);
    const always = ibTpoStepAdvantages(tree, { ...earlier, informationGate: "always" });
    expect(always.informationBottleneck[low]).toBeCloseTo(0.2 - 0.7, 12);
    const gated = ibTpoStepAdvantages(tree, { ...earlier, informationGate: "reward-variance" });
    expect(gated.informationBottleneck[low]).toBe(0);
    expect(gated.advantage[low]).toBe(0);
    const scaled = ibTpoStepAdvantages(handBuiltTree(), { ...earlier, rewardScale: "tree-std" });
    // Rewards [1, 1, 0, 1]: Bessel std 0.5.
    expect(scaled.global[d]).toBeCloseTo(-0.75 / 0.5001, 12);
  });

  it("rejects a tree without trajectories and bad options", () => {
    const tree = new ReasoningTree({ promptId: "q7" });
    tree.addStep(0, { tokens: [1], logprobs: [-0.5] });
    expect(() => ibTpoStepAdvantages(tree)).toThrow(/tree 'q7': the tree has no finished trajectory/);
    expect(() => ibTpoStepAdvantages(handBuiltTree(), { informationAlpha: -1 })).toThrow(/option informationAlpha/);
    expect(() => ibTpoStepAdvantages(handBuiltTree(), { leafNorm: "log" as "none" })).toThrow(/option leafNorm/);
  });
});

describe("treeRlStepAdvantages", () => {
  it("is (global + local) / sqrt(traj) (worked by hand)", () => {
    const advantage = treeRlStepAdvantages(handBuiltTree()).advantage;
    expect(advantage[a]).toBeCloseTo(-1 / 6 / Math.sqrt(3), 12);
    expect(advantage[b]).toBeCloseTo(0.5, 12);
    expect(advantage[c]).toBeCloseTo((1 / 4 + 1 / 3) / Math.SQRT2, 12);
    expect(advantage[d]).toBeCloseTo(-3 / 4 - 2 / 3, 12);
  });
});

describe("trees without log-probs (text-only rollouts)", () => {
  it("get TreeRL advantages (lambda 0) and a NaN IB-TPO advantage where A_IB needs pi(s)", () => {
    const tree = new ReasoningTree({ promptId: "text" });
    const shared = tree.addStep(tree.root, { tokens: [1], logprobs: null });
    tree.addTrajectory(tree.addStep(shared, { tokens: [2], logprobs: null }), 1);
    tree.addTrajectory(tree.addStep(shared, { tokens: [3], logprobs: null }), 0);
    const treeRl = treeRlStepAdvantages(tree).advantage;
    // v(root) = v(shared) = 1/2; the rewarded leaf: global 1/2 + local 1/2, over sqrt(1).
    expect(treeRl[shared]).toBe(0);
    expect(treeRl[shared + 1]).toBeCloseTo(1, 12);
    expect(treeRl[shared + 2]).toBeCloseTo(-1, 12);
    expect(Number.isNaN(ibTpoStepAdvantages(tree).advantage[shared] as number)).toBe(true);
  });
});
