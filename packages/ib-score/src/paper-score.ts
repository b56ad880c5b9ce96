import { IbScoreInputError } from "./errors.js";
import type { NodeId, ReasoningTree } from "./reasoning-tree.js";
import { checkStepProbabilityMode, type StepProbabilityMode, stepProbability } from "./step-probability.js";

/** Options of the paper form of IB-Score (docs/METHOD.md section 3.1). */
export interface PaperScoreOptions {
  /** The IB trade-off beta: eta1 = r - (1 + 1/beta), J = (1 + beta) E[eta1 eta2]. Default 5 (the paper's). */
  readonly beta?: number;
  /** How pi(c) is formed from the step's token log-probs. Default 'geometric'. */
  readonly stepProbability?: StepProbabilityMode;
}

/** {@link PaperScoreOptions} with every default filled in. */
export interface ResolvedPaperScoreOptions {
  readonly beta: number;
  readonly stepProbability: StepProbabilityMode;
}

/** Defaults of the paper form: beta = 5 (the paper's), geometric step probability (project choice). */
export const defaultPaperScoreOptions: ResolvedPaperScoreOptions = { beta: 5, stepProbability: "geometric" };

/** Fill in defaults; beta must be finite and > 0 (eta1 divides by it). */
export function resolvePaperScoreOptions(options: PaperScoreOptions = {}): ResolvedPaperScoreOptions {
  const beta = options.beta ?? defaultPaperScoreOptions.beta;
  if (!(beta > 0 && beta < Number.POSITIVE_INFINITY)) {
    throw new IbScoreInputError(`beta must be a finite number > 0 in the paper form, got ${beta}`, "option beta");
  }
  const mode = checkStepProbabilityMode(options.stepProbability ?? defaultPaperScoreOptions.stepProbability);
  return { beta, stepProbability: mode };
}

/** The paper-form IB-Score of one node with the diagnostics reported beside it. */
export interface PaperNodeScore {
  /** J(n) = (1 + beta) / B * sum_k m_k eta1(c_k) eta2(c_k). */
  readonly ibScore: number;
  /** Draw-weighted covariance of eta1 and eta2 over the same B draws. */
  readonly cov: number;
  /** pbar(n) = sum_k m_k pi(c_k) / B: the mean confidence of the next step. */
  readonly confidence: number;
  /** B = sum_k m_k: the draws at the node that reached a finished trajectory. */
  readonly draws: number;
}

/** v(n) at alpha = 0: the raw Monte Carlo success rate; NaN without a finished trajectory. */
function rawValue(tree: ReasoningTree, node: NodeId): number {
  const trajectories = tree.trajectoryCount(node);
  return trajectories > 0 ? tree.rewardSum(node) / trajectories : Number.NaN;
}

/**
 * r(c) = v(c) / v(parent) with raw values (alpha = 0), docs/METHOD.md section 3.1. When v(parent) = 0
 * every child also has value 0 and r = 1 (project choice: no information). NaN when `child` has no
 * finished trajectory, or is the root.
 *
 * @example
 * // root with children a (reward 1) and b (reward 0): v(root) = 0.5
 * relativeValueGain(tree, a); // 2
 * relativeValueGain(tree, b); // 0
 */
export function relativeValueGain(tree: ReasoningTree, child: NodeId): number {
  if (child === tree.root) return Number.NaN;
  const childValue = rawValue(tree, child);
  const parentValue = rawValue(tree, tree.parent(child));
  if (Number.isNaN(childValue)) return Number.NaN;
  return valueRatio(childValue, parentValue);
}

/**
 * r = v(child) / v(parent) for values given by the caller (any estimate of them), with r = 1 when
 * v(parent) = 0 (the project choice of {@link relativeValueGain}).
 *
 * @example
 * valueRatio(0.5, 0.25); // 2
 * valueRatio(0, 0); // 1
 */
export function valueRatio(childValue: number, parentValue: number): number {
  return parentValue === 0 ? 1 : childValue / parentValue;
}

/**
 * The paper-form IB-Score J(n) of docs/METHOD.md section 3.1, with Cov(eta1, eta2) and the mean
 * confidence pbar beside it. For children c_k with multiplicities m_k (B = sum m_k draws):
 * eta1(c) = r(c) - (1 + 1/beta), eta2(c) = pi(c), J = (1 + beta) / B * sum m_k eta1 eta2, so
 * J = (1 + beta)(Cov + mean(eta1) pbar). Children without a finished trajectory have no value and
 * are left out of the draws. Null when no child is left (a leaf).
 *
 * @example
 * const score = paperNodeScore(tree, tree.root, { beta: 5, stepProbability: "geometric" });
 * score?.ibScore; // J(root)
 */
export function paperNodeScore(tree: ReasoningTree, node: NodeId, options?: PaperScoreOptions): PaperNodeScore | null {
  const { beta, stepProbability: mode } = resolvePaperScoreOptions(options);
  const shift = 1 + 1 / beta;
  let draws = 0;
  let sumEta1 = 0;
  let sumEta2 = 0;
  let sumProduct = 0;
  for (const child of tree.children(node)) {
    const r = relativeValueGain(tree, child);
    if (Number.isNaN(r)) continue;
    const m = tree.multiplicity(child);
    const eta1 = r - shift;
    const eta2 = stepProbability(tree, child, mode);
    draws += m;
    sumEta1 += m * eta1;
    sumEta2 += m * eta2;
    sumProduct += m * eta1 * eta2;
  }
  return paperScoreFromSums(beta, draws, sumEta1, sumEta2, sumProduct);
}

/**
 * J, Cov and pbar from the draw-weighted sums over a node's children (sum m, sum m eta1,
 * sum m eta2, sum m eta1 eta2); null when there are no draws. Shared by the per-node and the
 * whole-tree scorer so both give bit-identical numbers.
 */
export function paperScoreFromSums(
  beta: number,
  draws: number,
  sumEta1: number,
  sumEta2: number,
  sumProduct: number,
): PaperNodeScore | null {
  if (draws === 0) return null;
  const meanEta1 = sumEta1 / draws;
  const confidence = sumEta2 / draws;
  const meanProduct = sumProduct / draws;
  return {
    ibScore: (1 + beta) * meanProduct,
    cov: meanProduct - meanEta1 * confidence,
    confidence,
    draws,
  };
}
