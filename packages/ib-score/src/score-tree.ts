import { binaryEntropy, smoothedValue } from "./binary-entropy.js";
import type { ReasoningTree } from "./reasoning-tree.js";
import { type IbScoreOptions, type ResolvedIbScoreOptions, resolveIbScoreOptions } from "./score-options.js";

const SUMS = 5;
let scratch = new Float64Array(0);

/**
 * A zeroed buffer of at least `length`, reused across calls: a fresh 40 MB buffer per call for a
 * 10^6-node tree costs more in page faults and garbage collection than the scoring itself.
 */
function scratchSums(length: number): Float64Array {
  if (scratch.length < length) scratch = new Float64Array(length);
  else scratch.fill(0, 0, length);
  return scratch;
}

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
 * IB-Score of every node of a tree and the tree's aggregates (docs/METHOD.md sections 2-3).
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
  // Five running sums per parent, interleaved so that one child's update touches one cache line:
  // weight, weight * h, weight of valued children, weight * v, weight * H_b(v).
  const sums = scratchSums(size * SUMS);
  let usedSurprisalFallback = false;
  const tokenMean = resolved.entropy === "token-mean";

  value[0] = smoothedValue(tree.rewardSum(0), tree.trajectoryCount(0), resolved.alpha);
  // Parents have smaller ids than children, so one forward pass fills every parent's sums.
  for (let node = 1; node < size; node++) {
    let h = tree.stepEntropySum(node);
    if (Number.isNaN(h)) {
      usedSurprisalFallback = true;
      h = tree.stepSurprisalSum(node);
    }
    if (tokenMean) h /= tree.tokenCount(node);
    stepEntropy[node] = h;
    const at = tree.parent(node) * SUMS;
    const weight = tree.multiplicity(node);
    sums[at] = (sums[at] as number) + weight;
    sums[at + 1] = (sums[at + 1] as number) + weight * h;
    const trajectories = tree.trajectoryCount(node);
    const v = smoothedValue(tree.rewardSum(node), trajectories, resolved.alpha);
    value[node] = v;
    if (trajectories > 0 && !Number.isNaN(v)) {
      sums[at + 2] = (sums[at + 2] as number) + weight;
      sums[at + 3] = (sums[at + 3] as number) + weight * v;
      sums[at + 4] = (sums[at + 4] as number) + weight * binaryEntropy(v);
    }
  }

  const nodeH = new Float64Array(size);
  const nodeI = new Float64Array(size);
  const nodeIbScore = new Float64Array(size);
  // Per-depth sums of branching nodes, interleaved as (count, H, I) at depth * 3.
  let depthSums = new Float64Array(3 * 64);
  let branchingNodes = 0;
  let sumH = 0;
  let sumI = 0;
  for (let node = 0; node < size; node++) {
    const at = node * SUMS;
    const total = sums[at] as number;
    if (total === 0) {
      nodeH[node] = Number.NaN;
      nodeI[node] = Number.NaN;
      nodeIbScore[node] = Number.NaN;
      continue;
    }
    const H = (sums[at + 1] as number) / total;
    const valued = sums[at + 2] as number;
    let I = 0;
    if (valued > 0) {
      const vbar = (sums[at + 3] as number) / valued;
      // I >= 0 by concavity of H_b; the clamp only removes floating-point round-off.
      I = Math.max(0, binaryEntropy(vbar) - (sums[at + 4] as number) / valued);
    }
    nodeH[node] = H;
    nodeI[node] = I;
    nodeIbScore[node] = H + resolved.beta * I;
    if (tree.childCount(node) < 2) continue;
    branchingNodes++;
    sumH += H;
    sumI += I;
    const depthAt = tree.depth(node) * 3;
    if (depthAt >= depthSums.length) {
      const larger = new Float64Array(Math.max(depthSums.length * 2, depthAt + 3));
      larger.set(depthSums);
      depthSums = larger;
    }
    depthSums[depthAt] = (depthSums[depthAt] as number) + 1;
    depthSums[depthAt + 1] = (depthSums[depthAt + 1] as number) + H;
    depthSums[depthAt + 2] = (depthSums[depthAt + 2] as number) + I;
  }

  const parts = (count: number, H: number, I: number): IbParts => ({
    ibScore: (H + resolved.beta * I) / count,
    H: H / count,
    I: I / count,
  });
  const byDepth: DepthScore[] = [];
  for (let at = 0; at < depthSums.length; at += 3) {
    const count = depthSums[at] as number;
    if (count === 0) continue;
    byDepth.push({
      depth: at / 3,
      branchingNodes: count,
      ...parts(count, depthSums[at + 1] as number, depthSums[at + 2] as number),
    });
  }
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
