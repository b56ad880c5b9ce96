import { binaryEntropy, smoothedValue } from "./binary-entropy.js";
import type { ReasoningTree } from "./reasoning-tree.js";
import { type IbScoreOptions, type ResolvedIbScoreOptions, resolveIbScoreOptions } from "./score-options.js";

/** H, I and IB-Score of one node, or of an aggregate of nodes. */
export interface IbParts {
  readonly ibScore: number;
  readonly H: number;
  readonly I: number;
}

export interface DepthScore extends IbParts {
  readonly depth: number;
  readonly branchingNodes: number;
}

/**
 * IB-Score of every node of a tree and the tree's aggregates (METHOD.md sections 2-3).
 * Per-node arrays are indexed by node id; entries are NaN where a node has no children.
 */
export interface TreeScore {
  readonly promptId: string;
  readonly options: ResolvedIbScoreOptions;
  /** Nodes other than the root. */
  readonly nodes: number;
  /** Nodes with at least two distinct children. */
  readonly branchingNodes: number;
  readonly trajectories: number;
  /** True when some step had no entropies and its surprisal (-log p) stood in for h. */
  readonly usedSurprisalFallback: boolean;
  /** The trajectory rewards are not all equal. */
  readonly effective: boolean;
  /** Mean over branching nodes; null when there is none (the tree is collapsed). */
  readonly tree: IbParts | null;
  /** The root's score (children = distinct first steps); null when the root has no children. */
  readonly root: IbParts | null;
  readonly byDepth: readonly DepthScore[];
  /** h(n): the step entropy estimate of each node (0 for the root). */
  readonly stepEntropy: Float64Array;
  /** v(n) with the information terms' alpha. */
  readonly value: Float64Array;
  readonly nodeH: Float64Array;
  readonly nodeI: Float64Array;
  readonly nodeIbScore: Float64Array;
}

/**
 * Score a tree: for each node n with children c_k (weights w_k = multiplicity share),
 * H(n) = sum w_k h(c_k), I(n) = H_b(vbar) - sum w_k H_b(v(c_k)), IB(n) = H(n) + beta I(n).
 * Children without a finished trajectory have no value and are left out of I.
 *
 * @example
 * const score = scoreTree(tree, { beta: 1, alpha: 0.5 });
 * score.tree?.ibScore; // mean IB-Score over branching nodes
 */
export function scoreTree(tree: ReasoningTree, options?: IbScoreOptions): TreeScore {
  const resolved = resolveIbScoreOptions(options);
  const size = tree.size;
  const stepEntropy = new Float64Array(size);
  const value = new Float64Array(size);
  const weightSum = new Float64Array(size);
  const weightedEntropy = new Float64Array(size);
  const valuedWeightSum = new Float64Array(size);
  const weightedValue = new Float64Array(size);
  const weightedBinaryEntropy = new Float64Array(size);
  let usedSurprisalFallback = false;

  value[0] = smoothedValue(tree.rewardSum(0), tree.trajectoryCount(0), resolved.alpha);
  // Parents have smaller ids than children, so one forward pass fills every parent's sums.
  for (let node = 1; node < size; node++) {
    const entropies = tree.entropies(node);
    if (entropies === null) usedSurprisalFallback = true;
    const h = stepEntropyOf(entropies, tree.logprobs(node), resolved.entropy === "token-mean");
    stepEntropy[node] = h;
    const parent = tree.parent(node);
    const weight = tree.multiplicity(node);
    weightSum[parent] = (weightSum[parent] as number) + weight;
    weightedEntropy[parent] = (weightedEntropy[parent] as number) + weight * h;
    const trajectories = tree.trajectoryCount(node);
    const v = smoothedValue(tree.rewardSum(node), trajectories, resolved.alpha);
    value[node] = v;
    if (trajectories > 0 && !Number.isNaN(v)) {
      valuedWeightSum[parent] = (valuedWeightSum[parent] as number) + weight;
      weightedValue[parent] = (weightedValue[parent] as number) + weight * v;
      weightedBinaryEntropy[parent] = (weightedBinaryEntropy[parent] as number) + weight * binaryEntropy(v);
    }
  }

  const nodeH = new Float64Array(size).fill(Number.NaN);
  const nodeI = new Float64Array(size).fill(Number.NaN);
  const nodeIbScore = new Float64Array(size).fill(Number.NaN);
  const depthSums = new Map<number, { count: number; H: number; I: number }>();
  let branchingNodes = 0;
  let sumH = 0;
  let sumI = 0;
  for (let node = 0; node < size; node++) {
    const total = weightSum[node] as number;
    if (total === 0) continue;
    const H = (weightedEntropy[node] as number) / total;
    const valued = valuedWeightSum[node] as number;
    let I = 0;
    if (valued > 0) {
      const vbar = (weightedValue[node] as number) / valued;
      // I >= 0 by concavity of H_b; the clamp only removes floating-point round-off.
      I = Math.max(0, binaryEntropy(vbar) - (weightedBinaryEntropy[node] as number) / valued);
    }
    nodeH[node] = H;
    nodeI[node] = I;
    nodeIbScore[node] = H + resolved.beta * I;
    if (tree.childCount(node) < 2) continue;
    branchingNodes++;
    sumH += H;
    sumI += I;
    const depth = tree.depth(node);
    const bucket = depthSums.get(depth) ?? { count: 0, H: 0, I: 0 };
    bucket.count++;
    bucket.H += H;
    bucket.I += I;
    depthSums.set(depth, bucket);
  }

  const parts = (count: number, H: number, I: number): IbParts => ({
    ibScore: (H + resolved.beta * I) / count,
    H: H / count,
    I: I / count,
  });
  const byDepth = [...depthSums.entries()]
    .sort(([a], [b]) => a - b)
    .map(([depth, bucket]) => ({ depth, branchingNodes: bucket.count, ...parts(bucket.count, bucket.H, bucket.I) }));
  const rootH = nodeH[0] as number;
  return {
    promptId: tree.promptId,
    options: resolved,
    nodes: size - 1,
    branchingNodes,
    trajectories: tree.trajectories,
    usedSurprisalFallback,
    effective: tree.hasRewardVariance,
    tree: branchingNodes > 0 ? parts(branchingNodes, sumH, sumI) : null,
    root: Number.isNaN(rootH) ? null : { ibScore: nodeIbScore[0] as number, H: rootH, I: nodeI[0] as number },
    byDepth,
    stepEntropy,
    value,
    nodeH,
    nodeI,
    nodeIbScore,
  };
}

/** h(c): full-distribution token entropies when present, else the surprisal -log p. */
function stepEntropyOf(entropies: Float64Array | null, logprobs: Float64Array, mean: boolean): number {
  let sum = 0;
  if (entropies === null) for (let i = 0; i < logprobs.length; i++) sum -= logprobs[i] as number;
  else for (let i = 0; i < entropies.length; i++) sum += entropies[i] as number;
  return mean ? sum / logprobs.length : sum;
}
