import { type BatchSummary, type IbParts, type ReasoningTree, summarizeBatch, type TreeScore } from "@ibtpo/ib-score";
import type { Trajectory } from "./trajectory.js";

/** docs/METHOD.md section 4's per-tree report. */
export interface TreeStatistics {
  readonly trajectories: number;
  /** Trajectories that ended on their own (end or stop token), not cut by a length or the budget. */
  readonly completeTrajectories: number;
  readonly truncatedTrajectories: number;
  readonly generatedTokens: number;
  /** trajectories / generatedTokens * 1000. */
  readonly trajectoriesPer1kTokens: number;
  /** Distinct answers among complete trajectories. */
  readonly distinctAnswers: number;
  readonly meanReward: number;
  /** Rewards not all equal: the tree counts towards Eff-Rate. */
  readonly effective: boolean;
  readonly nodes: number;
  readonly branchingNodes: number;
  /** Mean over branching nodes, or null for a collapsed tree (no branching node). */
  readonly ibScore: IbParts | null;
  /** Root-level IB-Score (children = distinct first steps). */
  readonly rootIbScore: IbParts | null;
}

export interface BatchStatistics {
  readonly prompts: number;
  readonly trajectories: number;
  readonly completeTrajectories: number;
  readonly truncatedTrajectories: number;
  readonly generatedTokens: number;
  readonly trajectoriesPer1kTokens: number;
  readonly meanDistinctAnswers: number;
  readonly meanReward: number;
  /** Share of prompts whose trajectory rewards have non-zero variance. */
  readonly effRate: number;
  /**
   * Policy.generate calls made for the whole batch; with continuous batching, the times requests
   * joined the policy's running batch (which can depend on the order requests finish in).
   */
  readonly generateCalls: number;
  /** ib-score's batch summary of the trees' scores. */
  readonly ibScore: BatchSummary;
}

function per1k(count: number, tokens: number): number {
  return tokens > 0 ? (count / tokens) * 1000 : 0;
}

/** Statistics of one sampled tree; `answers` holds the answer of each complete trajectory. */
export function treeStatistics(
  tree: ReasoningTree,
  trajectories: readonly Trajectory[],
  answers: readonly (string | null)[],
  generatedTokens: number,
  score: TreeScore,
): TreeStatistics {
  const truncated = trajectories.filter((trajectory) => trajectory.truncated).length;
  const rewardSum = trajectories.reduce((sum, trajectory) => sum + trajectory.reward, 0);
  return {
    trajectories: trajectories.length,
    completeTrajectories: trajectories.length - truncated,
    truncatedTrajectories: truncated,
    generatedTokens,
    trajectoriesPer1kTokens: per1k(trajectories.length, generatedTokens),
    distinctAnswers: new Set(answers.filter((answer) => answer !== null)).size,
    meanReward: trajectories.length > 0 ? rewardSum / trajectories.length : 0,
    effective: tree.hasRewardVariance,
    nodes: tree.size - 1,
    branchingNodes: score.branchingNodes,
    ibScore: score.tree,
    rootIbScore: score.root,
  };
}

/** Totals and means over a batch's trees. */
export function batchStatistics(
  trees: readonly TreeStatistics[],
  scores: readonly TreeScore[],
  generateCalls: number,
): BatchStatistics {
  const total = (pick: (tree: TreeStatistics) => number) => trees.reduce((sum, tree) => sum + pick(tree), 0);
  const mean = (pick: (tree: TreeStatistics) => number) => (trees.length > 0 ? total(pick) / trees.length : 0);
  const trajectories = total((tree) => tree.trajectories);
  const generatedTokens = total((tree) => tree.generatedTokens);
  const rewardSum = total((tree) => tree.meanReward * tree.trajectories);
  return {
    prompts: trees.length,
    trajectories,
    completeTrajectories: total((tree) => tree.completeTrajectories),
    truncatedTrajectories: total((tree) => tree.truncatedTrajectories),
    generatedTokens,
    trajectoriesPer1kTokens: per1k(trajectories, generatedTokens),
    meanDistinctAnswers: mean((tree) => tree.distinctAnswers),
    meanReward: trajectories > 0 ? rewardSum / trajectories : 0,
    effRate: mean((tree) => (tree.effective ? 1 : 0)),
    generateCalls,
    ibScore: summarizeBatch(scores),
  };
}
