import {
  binaryEntropy,
  binaryEntropyDerivative,
  type ReasoningTree,
  relativeValueGain,
  smoothedValue,
  stepProbability,
  valueRatio,
} from "@ibtpo/ib-score";
import { drawWeightedValues } from "./draw-weighted-values.js";
import { TpoLossInputError } from "./errors.js";
import { meanAndStd } from "./group-layout.js";
import type { ValueEstimate } from "./option-choices.js";
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
  /**
   * A(s) = A_GL + lambda A_IB + localValue A_LV, divided by sqrt(traj(s)) with leafNorm 'sqrt':
   * the advantage every token of step s gets.
   */
  readonly advantage: Float64Array;
  /** A_GL(s) = (v(s) - v(root)) / scale, scale = std(R) + stdEpsilon ('tree-std') or 1 ('none'). */
  readonly global: Float64Array;
  /** Score-function form: A_H(s) = u(s) - sum_k w_k u(c_k) over the siblings of s (s included); else 0. */
  readonly entropyPart: Float64Array;
  /** Score-function form: A_I(s) = H_b'(vbar) (v(s) - vbar) - (H_b(v(s)) - sum_k w_k H_b(v(c_k))); else 0. */
  readonly informationPart: Float64Array;
  /**
   * A_IB(s). Paper form: (r(s) - (1 + 1/beta)) pi_old(s). Score-function form: A_H + beta A_I, 0 when
   * the parent has a single child. 0 everywhere under `informationGate: 'reward-variance'` in a tree
   * whose rewards are all equal.
   */
  readonly informationBottleneck: Float64Array;
  /** A_LV(s) = (v(s) - v(parent)) / scale, with the scale of A_GL. */
  readonly localValueTerm: Float64Array;
  /**
   * The divisor of A_GL and A_LV: std(R) + stdEpsilon under 'tree-std' (Bessel std of the tree's
   * trajectory rewards), 1 under 'none'; 0 when the rewards are all equal or there is one
   * trajectory under 'tree-std' (then A_GL = A_LV = 0).
   */
  readonly rewardScale: number;
}

/**
 * IB-TPO step-level advantages of one tree (docs/METHOD.md section 5). By default the paper's form
 * (5.1): A(s) = (v(s) - v(root)) / (std(R) + 1e-4) + 0.1 (v(s)/v(parent) - 1.2) pi_old(s), with
 * r = v(s)/v(parent) and pi_old from @ibtpo/ib-score (`relativeValueGain`, `stepProbability`). The
 * score-function form (5.2) weights siblings by multiplicity shares w_k = m_k / sum m (each draw
 * counts once); its entropy part averages over all children of the parent, its information part
 * over the children that have a finished trajectory (the others have no value).
 *
 * @example
 * const parts = ibTpoStepAdvantages(tree); // the paper's form, lambda 0.1, beta 5
 * parts.advantage[node]; // the advantage every token of step `node` gets
 * ibTpoStepAdvantages(tree, { ibAdvantage: "score-function", informationWeight: 1 });
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
  const value = nodeValues(tree, options.valueEstimate, options.valueAlpha);
  const rewardScale = treeRewardScale(tree, options);
  const gated = options.informationGate === "reward-variance" && !tree.hasRewardVariance;
  const entropyPart = new Float64Array(size);
  const informationPart = new Float64Array(size);
  const informationBottleneck = new Float64Array(size);
  if (!gated) {
    if (options.ibAdvantage === "paper") paperInformationAdvantage(tree, options, informationBottleneck);
    else scoreFunctionAdvantage(tree, options, entropyPart, informationPart, informationBottleneck);
  }

  const advantage = new Float64Array(size);
  const global = new Float64Array(size);
  const localValueTerm = new Float64Array(size);
  const rootValue = value[0] as number;
  for (let node = 1; node < size; node++) {
    const trajectories = tree.trajectoryCount(node);
    if (trajectories === 0) continue;
    const v = value[node] as number;
    // A scale of 0 marks a tree whose rewards carry no signal: every value equals v(root) in
    // exact arithmetic, so the value terms are set to 0 rather than to rounding noise.
    if (rewardScale !== 0) {
      global[node] = (v - rootValue) / rewardScale;
      localValueTerm[node] = (v - (value[tree.parent(node)] as number)) / rewardScale;
    }
    // With lambda 0 the information term is left out rather than multiplied by 0, so trees
    // without log-probs (text-only rollouts, whose A_IB is NaN) still get TreeRL's advantages.
    const information = options.lambda === 0 ? 0 : options.lambda * (informationBottleneck[node] as number);
    const combined = (global[node] as number) + information + options.localValue * (localValueTerm[node] as number);
    advantage[node] = options.leafNorm === "sqrt" ? combined / Math.sqrt(trajectories) : combined;
  }
  return {
    options,
    advantage,
    global,
    entropyPart,
    informationPart,
    informationBottleneck,
    localValueTerm,
    rewardScale,
  };
}

/** v(n) for every node by the chosen estimate (0 where no finished trajectory passes). */
function nodeValues(tree: ReasoningTree, estimate: ValueEstimate, alpha: number): Float64Array {
  if (estimate === "draw-weighted") return drawWeightedValues(tree, alpha);
  const value = new Float64Array(tree.size);
  for (let node = 0; node < tree.size; node++) {
    const trajectories = tree.trajectoryCount(node);
    if (trajectories > 0) value[node] = smoothedValue(tree.rewardSum(node), trajectories, alpha);
  }
  return value;
}

/** std(R) + stdEpsilon over the tree's trajectory rewards ('tree-std'; 0 without reward variance), or 1. */
function treeRewardScale(tree: ReasoningTree, options: ResolvedStepAdvantageOptions): number {
  if (options.rewardScale === "none") return 1;
  if (!tree.hasRewardVariance) return 0;
  const rewards: number[] = [];
  for (let node = 0; node < tree.size; node++) rewards.push(...tree.endingRewards(node));
  return meanAndStd(rewards, 0, rewards.length).std + options.stdEpsilon;
}

/** docs/METHOD.md 5.1: A_IB(s) = (r(s) - (1 + 1/beta)) pi_old(s) for every node on a finished trajectory. */
function paperInformationAdvantage(tree: ReasoningTree, options: ResolvedStepAdvantageOptions, out: Float64Array) {
  const shift = 1 + 1 / options.informationWeight;
  // r(s) uses values at alpha 0 (the paper's p-hat), whatever valueAlpha says.
  const drawValues = options.valueEstimate === "draw-weighted" ? drawWeightedValues(tree, 0) : null;
  for (let node = 1; node < tree.size; node++) {
    if (tree.trajectoryCount(node) === 0) continue;
    const ratio =
      drawValues === null
        ? relativeValueGain(tree, node)
        : valueRatio(drawValues[node] as number, drawValues[tree.parent(node)] as number);
    out[node] = (ratio - shift) * stepProbability(tree, node, options.stepProbability);
  }
}

/** docs/METHOD.md 5.2: A_IB(s) = A_H(s) + beta A_I(s), the score-function gradients of H and I at the parent. */
function scoreFunctionAdvantage(
  tree: ReasoningTree,
  options: ResolvedStepAdvantageOptions,
  entropyPart: Float64Array,
  informationPart: Float64Array,
  informationBottleneck: Float64Array,
) {
  const size = tree.size;
  const informationValue = new Float64Array(size);
  const surprisal = new Float64Array(size);
  // Per parent: sums over its children, weighted by multiplicity.
  const drawSum = new Float64Array(size);
  const weightedSurprisal = new Float64Array(size);
  const valuedDrawSum = new Float64Array(size);
  const weightedValue = new Float64Array(size);
  const weightedBinaryEntropy = new Float64Array(size);
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
    const v = smoothedValue(tree.rewardSum(node), trajectories, options.informationAlpha);
    informationValue[node] = v;
    valuedDrawSum[parent] = (valuedDrawSum[parent] as number) + draws;
    weightedValue[parent] = (weightedValue[parent] as number) + draws * v;
    weightedBinaryEntropy[parent] = (weightedBinaryEntropy[parent] as number) + draws * binaryEntropy(v);
  }
  for (let node = 1; node < size; node++) {
    const parent = tree.parent(node);
    if (tree.trajectoryCount(node) === 0 || tree.childCount(parent) < 2) continue;
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
    informationBottleneck[node] = entropy + options.informationWeight * information;
  }
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
