import { binaryEntropy, smoothedValue } from "./binary-entropy.js";
import { paperScoreFromSums, relativeValueGain } from "./paper-score.js";
import type { ReasoningTree } from "./reasoning-tree.js";
import { type IbScoreOptions, type ResolvedIbScoreOptions, resolveIbScoreOptions } from "./score-options.js";
import { stepProbability as stepProbabilityOf } from "./step-probability.js";

// Running sums per parent, interleaved so that one child's update touches one cache line:
// weight, weight * h, weight of valued children, weight * v, weight * H_b(v) (Shannon form),
// then weight * eta1, weight * eta2, weight * eta1 * eta2 (paper form).
const SUMS = 8;
// Per-depth sums of the nodes in the aggregate: count, H, I, J, Cov, confidence.
const DEPTH_SUMS = 6;
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

/**
 * The scores of one node, or means over a set of nodes (docs/METHOD.md section 3). Numbers that need
 * per-token log-probs (J, Cov, confidence, and H when steps have no entropies) are NaN when the
 * steps carry none.
 */
export interface IbParts {
  /** The chosen estimator's IB-Score: J (paper form, section 3.1) or H + beta I (Shannon form, section 3.2). */
  readonly ibScore: number;
  /** Shannon step diversity H (section 3.2). */
  readonly H: number;
  /** Shannon information about the answer I (section 3.2). */
  readonly I: number;
  /** Paper form: the draw-weighted Cov(eta1, eta2), the balance diagnostic (section 3.1). */
  readonly cov: number;
  /** Paper form: the mean confidence pbar = sum m_k pi(c_k) / B (section 3.1). */
  readonly confidence: number;
}

export interface DepthScore extends IbParts {
  readonly depth: number;
  /** Nodes of this depth in the aggregate (see {@link TreeScore.scoredNodes}). */
  readonly scoredNodes: number;
  /** Nodes of this depth with at least two distinct children. */
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
  /**
   * Nodes whose scores enter the tree's aggregate: internal nodes with B >= 2 draws (paper form),
   * or branching nodes (Shannon form).
   */
  readonly scoredNodes: number;
  readonly trajectories: number;
  /** True when some step had no entropies and its surprisal (-log p) stood in for h. */
  readonly usedSurprisalFallback: boolean;
  /** True when some step had no log-probs (text-only input): J, Cov, confidence (and H without entropies) are NaN. */
  readonly missingLogprobs: boolean;
  /** The trajectory rewards are not all equal. */
  readonly effective: boolean;
  /** correct(root): the sum of the trajectory rewards. */
  readonly rewardSum: number;
  /** Avg-Rate of the tree: the mean reward of its trajectories; NaN without one. */
  readonly avgRate: number;
  /** Means over the scored nodes; null when there is none (the tree is collapsed). */
  readonly tree: IbParts | null;
  /** The root's scores (children = distinct first steps); null when the root has none to score. */
  readonly root: IbParts | null;
  readonly byDepth: readonly DepthScore[];
  /** h(n): the step entropy estimate of each node (0 for the root). */
  readonly stepEntropy: Float64Array;
  /** pi(n): the step probability of each node (section 3.1; NaN for the root). */
  readonly stepProbability: Float64Array;
  /** v(n) with the Shannon information terms' alpha. */
  readonly value: Float64Array;
  readonly nodeH: Float64Array;
  readonly nodeI: Float64Array;
  /** The chosen estimator's IB-Score of each node. */
  readonly nodeIbScore: Float64Array;
  readonly nodeCov: Float64Array;
  readonly nodeConfidence: Float64Array;
  /** B(n): draws at each node that reached a finished trajectory. */
  readonly nodeDraws: Float64Array;
}

/**
 * Score a tree. For each node n with children c_k drawn m_k times (B = sum m_k):
 * paper form (section 3.1) J(n) = (1 + beta) / B * sum m_k eta1(c_k) eta2(c_k) with
 * eta1 = v(c)/v(n) - (1 + 1/beta) and eta2 = pi(c), beside Cov(eta1, eta2) and pbar;
 * Shannon form (section 3.2) H(n) = sum w_k h(c_k), I(n) = H_b(vbar) - sum w_k H_b(v(c_k)),
 * IB(n) = H(n) + beta I(n). Both forms are computed; `estimator` chooses which one is `ibScore`
 * and which nodes enter the aggregates. Children without a finished trajectory have no value and
 * are left out of I, J, Cov and pbar.
 *
 * @example
 * const score = scoreTree(tree); // paper form, beta 5
 * score.tree?.ibScore; // mean J over internal nodes with at least two draws
 * scoreTree(tree, { estimator: "shannon" }).tree?.ibScore; // mean H + I over branching nodes
 */
export function scoreTree(tree: ReasoningTree, options?: IbScoreOptions): TreeScore {
  const resolved = resolveIbScoreOptions(options);
  const { beta } = resolved;
  const paper = resolved.estimator === "paper";
  const shift = 1 + 1 / beta;
  const size = tree.size;
  const stepEntropy = new Float64Array(size);
  const stepProbability = new Float64Array(size);
  const value = new Float64Array(size);
  const sums = scratchSums(size * SUMS);
  let usedSurprisalFallback = false;
  let missingLogprobs = false;
  const tokenMean = resolved.entropy === "token-mean";

  value[0] = smoothedValue(tree.rewardSum(0), tree.trajectoryCount(0), resolved.alpha);
  stepProbability[0] = Number.NaN;
  // Parents have smaller ids than children, so one forward pass fills every parent's sums.
  for (let node = 1; node < size; node++) {
    let h = tree.stepEntropySum(node);
    if (Number.isNaN(h)) {
      usedSurprisalFallback = true;
      h = tree.stepSurprisalSum(node);
    }
    if (tokenMean) h /= tree.tokenCount(node);
    stepEntropy[node] = h;
    const pi = stepProbabilityOf(tree, node, resolved.stepProbability);
    if (Number.isNaN(pi)) missingLogprobs = true;
    stepProbability[node] = pi;
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
      const eta1 = relativeValueGain(tree, node) - shift;
      sums[at + 5] = (sums[at + 5] as number) + weight * eta1;
      sums[at + 6] = (sums[at + 6] as number) + weight * pi;
      sums[at + 7] = (sums[at + 7] as number) + weight * eta1 * pi;
    }
  }

  const nodeH = new Float64Array(size);
  const nodeI = new Float64Array(size);
  const nodeIbScore = new Float64Array(size);
  const nodeCov = new Float64Array(size);
  const nodeConfidence = new Float64Array(size);
  const nodeDraws = new Float64Array(size);
  let depthSums = new Float64Array(DEPTH_SUMS * 64);
  let branchingByDepth = new Float64Array(64);
  let branchingNodes = 0;
  let scoredNodes = 0;
  const total = new Float64Array(DEPTH_SUMS - 1);
  for (let node = 0; node < size; node++) {
    const at = node * SUMS;
    const weight = sums[at] as number;
    if (weight === 0) {
      nodeH[node] = Number.NaN;
      nodeI[node] = Number.NaN;
      nodeIbScore[node] = Number.NaN;
      nodeCov[node] = Number.NaN;
      nodeConfidence[node] = Number.NaN;
      continue;
    }
    const H = (sums[at + 1] as number) / weight;
    const valued = sums[at + 2] as number;
    let I = 0;
    if (valued > 0) {
      const vbar = (sums[at + 3] as number) / valued;
      // I >= 0 by concavity of H_b; the clamp only removes floating-point round-off.
      I = Math.max(0, binaryEntropy(vbar) - (sums[at + 4] as number) / valued);
    }
    const paperScore = paperScoreFromSums(
      beta,
      valued,
      sums[at + 5] as number,
      sums[at + 6] as number,
      sums[at + 7] as number,
    );
    const J = paperScore?.ibScore ?? Number.NaN;
    const cov = paperScore?.cov ?? Number.NaN;
    const confidence = paperScore?.confidence ?? Number.NaN;
    nodeH[node] = H;
    nodeI[node] = I;
    nodeIbScore[node] = paper ? J : H + beta * I;
    nodeCov[node] = cov;
    nodeConfidence[node] = confidence;
    nodeDraws[node] = valued;
    const depth = tree.depth(node);
    if (depth >= branchingByDepth.length) {
      branchingByDepth = grownTo(branchingByDepth, depth + 1);
      depthSums = grownTo(depthSums, (depth + 1) * DEPTH_SUMS);
    }
    const branching = tree.childCount(node) >= 2;
    if (branching) {
      branchingNodes++;
      branchingByDepth[depth] = (branchingByDepth[depth] as number) + 1;
    }
    if (!(paper ? valued >= 2 : branching)) continue;
    scoredNodes++;
    const depthAt = depth * DEPTH_SUMS;
    const parts = [H, I, J, cov, confidence];
    depthSums[depthAt] = (depthSums[depthAt] as number) + 1;
    for (let k = 0; k < parts.length; k++) {
      depthSums[depthAt + 1 + k] = (depthSums[depthAt + 1 + k] as number) + (parts[k] as number);
      total[k] = (total[k] as number) + (parts[k] as number);
    }
  }

  // The Shannon IB-Score of an aggregate is formed from the mean H and I, as it always was.
  const meanParts = (count: number, H: number, I: number, J: number, cov: number, confidence: number): IbParts => ({
    ibScore: paper ? J / count : (H + beta * I) / count,
    H: H / count,
    I: I / count,
    cov: cov / count,
    confidence: confidence / count,
  });
  const byDepth: DepthScore[] = [];
  for (let depth = 0; depth < branchingByDepth.length; depth++) {
    const at = depth * DEPTH_SUMS;
    const count = depthSums[at] as number;
    if (count === 0) continue;
    byDepth.push({
      depth,
      scoredNodes: count,
      branchingNodes: branchingByDepth[depth] as number,
      ...meanParts(
        count,
        depthSums[at + 1] as number,
        depthSums[at + 2] as number,
        depthSums[at + 3] as number,
        depthSums[at + 4] as number,
        depthSums[at + 5] as number,
      ),
    });
  }
  const rootScored = paper ? (nodeDraws[0] as number) > 0 : !Number.isNaN(nodeH[0] as number);
  const trajectories = tree.trajectories;
  return {
    promptId: tree.promptId,
    options: resolved,
    nodes: size - 1,
    branchingNodes,
    scoredNodes,
    trajectories,
    usedSurprisalFallback,
    missingLogprobs,
    effective: tree.hasRewardVariance,
    rewardSum: tree.rewardSum(tree.root),
    avgRate: trajectories > 0 ? tree.rewardSum(tree.root) / trajectories : Number.NaN,
    tree:
      scoredNodes > 0
        ? meanParts(
            scoredNodes,
            total[0] as number,
            total[1] as number,
            total[2] as number,
            total[3] as number,
            total[4] as number,
          )
        : null,
    root: rootScored
      ? {
          ibScore: nodeIbScore[0] as number,
          H: nodeH[0] as number,
          I: nodeI[0] as number,
          cov: nodeCov[0] as number,
          confidence: nodeConfidence[0] as number,
        }
      : null,
    byDepth,
    stepEntropy,
    stepProbability,
    value,
    nodeH,
    nodeI,
    nodeIbScore,
    nodeCov,
    nodeConfidence,
    nodeDraws,
  };
}

function grownTo(array: Float64Array<ArrayBuffer>, minimum: number): Float64Array<ArrayBuffer> {
  const larger = new Float64Array(Math.max(array.length * 2, minimum));
  larger.set(array);
  return larger;
}
