import { binaryEntropy, binaryEntropyDerivative, type ReasoningTree, smoothedValue } from "@ibtpo/ib-score";
import { TpoLossInputError } from "./errors.js";
import {
  type ResolvedStepAdvantageOptions,
  resolveStepAdvantageOptions,
  type StepAdvantageOptions,
} from "./step-advantage-options.js";

/**
 * Step advantages of one tree and their parts, indexed by node id. The root's entries are 0, and
 * so are those of nodes no finished trajectory passes through (nothing trains them).
 */
export interface StepAdvantages {
  readonly options: ResolvedStepAdvantageOptions;
  /** A(s) = (A_GL + lambda A_IB + localValue A_LV) / sqrt(traj(s)) (the division only with leafNorm 'sqrt'). */
  readonly advantage: Float64Array;
  /** A_GL(s) = v(s) - v(root). */
  readonly global: Float64Array;
  /** A_H(s) = u(s) - sum_k w_k u(c_k) over the siblings of s (s included). */
  readonly entropyPart: Float64Array;
  /** A_I(s) = H_b'(vbar) (v(s) - vbar) - (H_b(v(s)) - sum_k w_k H_b(v(c_k))), smoothed values. */
  readonly informationPart: Float64Array;
  /** A_IB(s) = A_H(s) + beta A_I(s); 0 when the parent has a single child. */
  readonly informationBottleneck: Float64Array;
  /** A_LV(s) = v(s) - v(parent). */
  readonly localValueTerm: Float64Array;
}

/**
 * IB-TPO step-level advantages of one tree, exactly as docs/METHOD.md section 5. Sibling weights are
 * multiplicity shares w_k = m_k / sum m (each draw counts once). The entropy part averages over all
 * children of the parent; the information part over the children that have a finished trajectory
 * (the others have no value), as in ib-score's `scoreTree`.
 *
 * @example
 * const parts = ibTpoStepAdvantages(tree, { lambda: 0.1, beta: 1 });
 * parts.advantage[node]; // the advantage every token of step `node` gets
 */
export function ibTpoStepAdvantages(tree: ReasoningTree, options?: StepAdvantageOptions): StepAdvantages {
  return computeStepAdvantages(tree, resolveStepAdvantageOptions(options));
}

/** The shared computation behind IB-TPO and TreeRL, on options already resolved. */
export function computeStepAdvantages(tree: ReasoningTree, options: ResolvedStepAdvantageOptions): StepAdvantages {
  if (tree.trajectories === 0) {
    throw new TpoLossInputError("the tree has no finished trajectory, so v(root) is undefined", treeLocation(tree));
  }
  const size = tree.size;
  const value = new Float64Array(size);
  const informationValue = new Float64Array(size);
  const surprisal = new Float64Array(size);
  // Per parent: sums over its children, weighted by multiplicity.
  const drawSum = new Float64Array(size);
  const weightedSurprisal = new Float64Array(size);
  const valuedDrawSum = new Float64Array(size);
  const weightedValue = new Float64Array(size);
  const weightedBinaryEntropy = new Float64Array(size);

  value[0] = smoothedValue(tree.rewardSum(0), tree.trajectoryCount(0), options.valueAlpha);
  // Children have larger ids than parents, so one forward pass completes every parent's sums.
  for (let node = 1; node < size; node++) {
    const parent = tree.parent(node);
    const draws = tree.multiplicity(node);
    const u = stepSurprisal(tree.logprobs(node), options.surprisal === "token-mean");
    surprisal[node] = u;
    drawSum[parent] = (drawSum[parent] as number) + draws;
    weightedSurprisal[parent] = (weightedSurprisal[parent] as number) + draws * u;
    const trajectories = tree.trajectoryCount(node);
    if (trajectories === 0) continue;
    const correct = tree.rewardSum(node);
    value[node] = smoothedValue(correct, trajectories, options.valueAlpha);
    const v = smoothedValue(correct, trajectories, options.informationAlpha);
    informationValue[node] = v;
    valuedDrawSum[parent] = (valuedDrawSum[parent] as number) + draws;
    weightedValue[parent] = (weightedValue[parent] as number) + draws * v;
    weightedBinaryEntropy[parent] = (weightedBinaryEntropy[parent] as number) + draws * binaryEntropy(v);
  }

  const advantage = new Float64Array(size);
  const global = new Float64Array(size);
  const entropyPart = new Float64Array(size);
  const informationPart = new Float64Array(size);
  const informationBottleneck = new Float64Array(size);
  const localValueTerm = new Float64Array(size);
  const rootValue = value[0] as number;
  for (let node = 1; node < size; node++) {
    const trajectories = tree.trajectoryCount(node);
    if (trajectories === 0) continue;
    const parent = tree.parent(node);
    const v = value[node] as number;
    global[node] = v - rootValue;
    localValueTerm[node] = v - (value[parent] as number);
    if (tree.childCount(parent) >= 2) {
      const entropy = (surprisal[node] as number) - (weightedSurprisal[parent] as number) / (drawSum[parent] as number);
      const valued = valuedDrawSum[parent] as number;
      const vbar = (weightedValue[parent] as number) / valued;
      const vs = informationValue[node] as number;
      // When vbar is 0 or 1 every valued sibling has that value, so v(s) - vbar is exactly 0 and the
      // infinite slope H_b'(vbar) must not turn the product into NaN.
      const deviation = vs - vbar;
      const slope = deviation === 0 ? 0 : binaryEntropyDerivative(vbar) * deviation;
      const information = slope - (binaryEntropy(vs) - (weightedBinaryEntropy[parent] as number) / valued);
      entropyPart[node] = entropy;
      informationPart[node] = information;
      informationBottleneck[node] = entropy + options.beta * information;
    }
    const combined =
      (global[node] as number) +
      options.lambda * (informationBottleneck[node] as number) +
      options.localValue * (localValueTerm[node] as number);
    advantage[node] = options.leafNorm === "sqrt" ? combined / Math.sqrt(trajectories) : combined;
  }
  return { options, advantage, global, entropyPart, informationPart, informationBottleneck, localValueTerm };
}

/** u(s) = -log pi(s | prefix), the mean (or sum) over the step's tokens. */
function stepSurprisal(logprobs: Float64Array, mean: boolean): number {
  let sum = 0;
  for (let index = 0; index < logprobs.length; index++) sum -= logprobs[index] as number;
  return mean ? sum / logprobs.length : sum;
}

function treeLocation(tree: ReasoningTree): string {
  return tree.promptId === "" ? "tree" : `tree '${tree.promptId}'`;
}
