import { ReasoningTree } from "@ibtpo/ib-score";
import { describe, expect, it } from "vitest";
import { ibTpoStepAdvantages } from "./ib-tpo-advantages.js";
import { createAdvantageEstimator, trainingPreset } from "./presets.js";
import { trainingBatchFromTrees } from "./tree-sequences.js";
import { handBuiltTree, nodes } from "./worked-trees.test-helper.js";

const names = ["a", "b", "c", "d"] as const;

/**
 * docs/METHOD.md 5.1 on the hand-built tree, written out from the tree's numbers:
 * rewards R = [1, 1, 0, 1]: mean 0.75, Bessel variance (3 x 0.25^2 + 0.75^2) / 3 = 0.25, std 0.5;
 * values (alpha 0) v(root) = 3/4, v(a) = 2/3, v(b) = 1, v(c) = 1, v(d) = 0;
 * r = v(s) / v(parent): r(a) = 8/9, r(b) = 4/3, r(c) = 3/2, r(d) = 0;
 * pi_old geometric = exp(mean token log-prob): a exp(-0.3), b exp(-1.5), c exp(-0.1), d exp(-1.5).
 */
const scale = 0.5 + 1e-4;
const value = { root: 3 / 4, a: 2 / 3, b: 1, c: 1, d: 0 };
const relative = { a: 8 / 9, b: 4 / 3, c: 3 / 2, d: 0 };
const geometric = { a: Math.exp(-0.3), b: Math.exp(-1.5), c: Math.exp(-0.1), d: Math.exp(-1.5) };
const product = { a: Math.exp(-0.6), b: Math.exp(-1.5), c: Math.exp(-0.1), d: Math.exp(-3) };
const trajectories = { a: 3, b: 1, c: 2, d: 1 };
const globalOf = (name: (typeof names)[number]) => (value[name] - value.root) / scale;
const paperIb = (name: (typeof names)[number], beta: number, pi: Record<(typeof names)[number], number>) =>
  (relative[name] - (1 + 1 / beta)) * pi[name];

describe("the ib-tpo preset's advantages equal docs/METHOD.md 5.1", () => {
  const preset = trainingPreset("ib-tpo");

  it("trains per trajectory (the option values themselves are listed in presets.test.ts)", () => {
    expect(preset.tokenWeighting).toBe("per-trajectory");
    expect(preset.advantage).toMatchObject({ ibAdvantage: "paper", leafNorm: "none", rewardScale: "tree-std" });
  });

  it("gives A = (v(s) - v(root)) / (std + 1e-4) + 0.1 (r(s) - 1.2) pi_old(s) on the hand-built tree", () => {
    const [advantages] = stepAdvantagesOf(preset);
    for (const name of names) {
      const expected = globalOf(name) + 0.1 * paperIb(name, 5, geometric);
      expect(advantages?.[nodes[name]]).toBeCloseTo(expected, 12);
    }
    // By hand to 4 decimals: A(a) = (-1/12) / 0.5001 + 0.1 x (8/9 - 1.2) x 0.740818 = -0.16663 - 0.02305.
    expect(advantages?.[nodes.a]).toBeCloseTo(-0.1897, 4);
    // A(d) = -0.75 / 0.5001 - 0.1 x 1.2 x 0.223130 = -1.49970 - 0.02678.
    expect(advantages?.[nodes.d]).toBeCloseTo(-1.5265, 4);
    expect(advantages?.[0]).toBe(0);
  });

  it("trains one row per trajectory: each step's tokens carry A(s), n trajectories through s give weight n", () => {
    const batch = trainingBatchFromTrees([handBuiltTree()], createAdvantageEstimator(preset.advantage), preset);
    // Rows end at c (2 identical trajectories), d and b.
    expect(batch.sequences.map((row) => row.trajectories)).toEqual([2, 1, 1]);
    const coefficient = new Map<number, number>();
    for (const row of batch.sequences) {
      row.tokenNodes.forEach((node, index) => {
        expect(row.advantages[index]).toBeCloseTo(
          globalOf(nameOf(node)) + 0.1 * paperIb(nameOf(node), 5, geometric),
          6,
        );
        coefficient.set(node, (coefficient.get(node) ?? 0) + (row.trainWeights[index] as number));
      });
    }
    for (const name of names) expect((coefficient.get(nodes[name]) ?? 0) / tokenCount(name)).toBe(trajectories[name]);
  });
});

describe("ibTpoStepAdvantages, paper form options (docs/METHOD.md 5.1, 5.2)", () => {
  it("uses the product step probability, another lambda and informationWeight", () => {
    const parts = ibTpoStepAdvantages(handBuiltTree(), {
      stepProbability: "product",
      lambda: 0.3,
      informationWeight: 2,
    });
    for (const name of names) {
      expect(parts.informationBottleneck[nodes[name]]).toBeCloseTo(paperIb(name, 2, product), 12);
      expect(parts.advantage[nodes[name]]).toBeCloseTo(globalOf(name) + 0.3 * paperIb(name, 2, product), 12);
    }
  });

  it("drops the division with rewardScale 'none' and divides by sqrt(traj) with leafNorm 'sqrt'", () => {
    const parts = ibTpoStepAdvantages(handBuiltTree(), { rewardScale: "none", leafNorm: "sqrt" });
    for (const name of names) {
      const unscaled = value[name] - value.root + 0.1 * paperIb(name, 5, geometric);
      expect(parts.advantage[nodes[name]]).toBeCloseTo(unscaled / Math.sqrt(trajectories[name]), 12);
    }
    expect(parts.rewardScale).toBe(1);
  });

  it("gives a lone child A_IB = -pi_old / beta, and r = 1 under a parent of value 0", () => {
    const tree = new ReasoningTree();
    const only = tree.addStep(0, { tokens: [1, 2], logprobs: [-0.5, -0.7] });
    const failed = tree.addStep(only, { tokens: [3], logprobs: [-0.2] });
    tree.addTrajectory(failed, 0);
    tree.addTrajectory(tree.addStep(only, { tokens: [4], logprobs: [-0.9] }), 0);
    const parts = ibTpoStepAdvantages(tree);
    expect(parts.informationBottleneck[only]).toBeCloseTo(-Math.exp(-0.6) / 5, 12);
    // v(only) = 0, so r(failed) = 1 (not 0 / 0) and A_IB = (1 - 1.2) exp(-0.2).
    expect(parts.informationBottleneck[failed]).toBeCloseTo(-0.2 * Math.exp(-0.2), 12);
    // All rewards equal: A_GL = 0 exactly, and A = 0.1 A_IB acts in the zero-variance tree.
    expect(parts.rewardScale).toBe(0);
    expect(parts.global[failed]).toBe(0);
    expect(parts.advantage[failed]).toBeCloseTo(0.1 * -0.2 * Math.exp(-0.2), 12);
  });

  it("sets A_GL = 0 in a tree with one trajectory, and gates A_IB by reward variance on request", () => {
    const single = new ReasoningTree();
    const step = single.addStep(0, { tokens: [1], logprobs: [-0.1] });
    single.addTrajectory(step, 1);
    const parts = ibTpoStepAdvantages(single);
    expect(parts.global[step]).toBe(0);
    expect(parts.advantage[step]).toBeCloseTo(0.1 * -0.2 * Math.exp(-0.1), 12);
    const gated = ibTpoStepAdvantages(single, { informationGate: "reward-variance" });
    expect(gated.advantage[step]).toBe(0);
    // A tree with reward variance is not gated.
    const open = ibTpoStepAdvantages(handBuiltTree(), { informationGate: "reward-variance" });
    expect(open.informationBottleneck[nodes.d]).toBeCloseTo(paperIb("d", 5, geometric), 12);
  });

  it("scales TreeRL's local value term by the same reward scale", () => {
    const parts = ibTpoStepAdvantages(handBuiltTree(), { localValue: 1, lambda: 0 });
    expect(parts.localValueTerm[nodes.c]).toBeCloseTo((1 - 2 / 3) / scale, 12);
    expect(parts.advantage[nodes.c]).toBeCloseTo(globalOf("c") + (1 - 2 / 3) / scale, 12);
  });

  it("rejects informationWeight 0 in the paper form, not in the score-function form", () => {
    expect(() => ibTpoStepAdvantages(handBuiltTree(), { informationWeight: 0 })).toThrow(
      "option informationWeight: must be > 0 in the paper form",
    );
    expect(() =>
      ibTpoStepAdvantages(handBuiltTree(), { ibAdvantage: "score-function", informationWeight: 0 }),
    ).not.toThrow();
  });
});

describe("token weighting x leafNorm (docs/METHOD.md 5.2): the coefficient of a step on n trajectories", () => {
  const cases = [
    { tokenWeighting: "dedup", leafNorm: "sqrt", factor: (n: number) => 1 / Math.sqrt(n) },
    { tokenWeighting: "dedup", leafNorm: "none", factor: () => 1 },
    { tokenWeighting: "per-trajectory", leafNorm: "sqrt", factor: (n: number) => Math.sqrt(n) },
    { tokenWeighting: "per-trajectory", leafNorm: "none", factor: (n: number) => n },
  ] as const;
  for (const ibAdvantage of ["paper", "score-function"] as const) {
    for (const { tokenWeighting, leafNorm, factor } of cases) {
      it(`${ibAdvantage}: ${tokenWeighting} + ${leafNorm}`, () => {
        const preset = trainingPreset("ib-tpo", { advantage: { ibAdvantage, leafNorm }, tokenWeighting });
        const unnormalised = ibTpoStepAdvantages(handBuiltTree(), { ibAdvantage, leafNorm: "none" }).advantage;
        const batch = trainingBatchFromTrees([handBuiltTree()], createAdvantageEstimator(preset.advantage), preset);
        const coefficient = new Map<number, number>();
        for (const row of batch.sequences) {
          row.tokenNodes.forEach((node, index) => {
            const weighted = (row.trainWeights[index] as number) * (row.advantages[index] as number);
            coefficient.set(node, (coefficient.get(node) ?? 0) + weighted);
          });
        }
        for (const name of names) {
          const perToken = (coefficient.get(nodes[name]) ?? 0) / tokenCount(name);
          expect(perToken).toBeCloseTo(factor(trajectories[name]) * (unnormalised[nodes[name]] as number), 12);
        }
      });
    }
  }
});

function stepAdvantagesOf(preset: ReturnType<typeof trainingPreset>): Float64Array[] {
  const estimator = createAdvantageEstimator(preset.advantage);
  if (estimator.kind !== "step") throw new Error("expected a step estimator");
  return estimator.stepAdvantages([handBuiltTree()]);
}

function nameOf(node: number): (typeof names)[number] {
  return names.find((name) => nodes[name] === node) as (typeof names)[number];
}

function tokenCount(name: (typeof names)[number]): number {
  return handBuiltTree().tokenCount(nodes[name]);
}
