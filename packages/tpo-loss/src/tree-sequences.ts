import type { ReasoningTree } from "@ibtpo/ib-score";
import type { AdvantageEstimator } from "./advantage-estimator.js";
import { TpoLossInputError } from "./errors.js";
import type { TokenWeighting } from "./option-choices.js";
import { makeTrainingBatch, type TrainingBatch, type TrainingSequence } from "./training-batch.js";

export interface TreeBatchOptions {
  /**
   * 'dedup' (default for step estimators): each tree token is trained once, on the first row (in
   * node id order of the rows' last steps) that contains it. 'per-trajectory': every trajectory
   * trains all its tokens, so a row that stands for k identical trajectories has weight k.
   * Response-level estimators (GRPO family) give a shared token different advantages on
   * different rows, so they only allow 'per-trajectory' (their default).
   */
  readonly tokenWeighting?: TokenWeighting;
}

/**
 * Turn trees (one per prompt) into training rows: one per node where trajectories end (the path
 * root -> node; k identical trajectories make one row with `trajectories: k`), each token carrying
 * its step's advantage (step estimators) or the row's advantage (response estimators).
 *
 * @example
 * const batch = trainingBatchFromTrees(trees, ibTpoEstimator());
 * batch.trainedTokens; // distinct tree tokens on finished trajectories (the token-mean normaliser)
 */
export function trainingBatchFromTrees(
  trees: readonly ReasoningTree[],
  estimator: AdvantageEstimator,
  options: TreeBatchOptions = {},
): TrainingBatch {
  const tokenWeighting = options.tokenWeighting ?? (estimator.kind === "step" ? "dedup" : "per-trajectory");
  if (tokenWeighting !== "dedup" && tokenWeighting !== "per-trajectory") {
    throw new TpoLossInputError(
      `must be 'dedup' or 'per-trajectory', got '${String(tokenWeighting)}'`,
      "option tokenWeighting",
    );
  }
  if (estimator.kind === "response" && tokenWeighting === "dedup") {
    throw new TpoLossInputError(
      `estimator '${estimator.name}' gives one advantage per response, so a shared token has no single advantage; use 'per-trajectory'`,
      "option tokenWeighting",
    );
  }
  const endings = trees.map(endingNodes);
  const nodeAdvantages = estimator.kind === "step" ? stepAdvantagesChecked(trees, estimator) : null;
  const rowAdvantages = estimator.kind === "response" ? responseAdvantagesOfEndings(trees, endings, estimator) : null;

  const sequences: TrainingSequence[] = [];
  trees.forEach((tree, groupIndex) => {
    const claimed = new Uint8Array(tree.size);
    (endings[groupIndex] as number[]).forEach((ending, row) => {
      if (ending === tree.root) return; // an empty response has no token to train
      const path = tree.path(ending);
      const length = path.reduce((sum, node) => sum + tree.tokens(node).length, 0);
      const trajectories = tree.endingCount(ending);
      const sequence: TrainingSequence = {
        groupIndex,
        promptId: tree.promptId,
        promptTokens: tree.promptTokens,
        tokens: new Int32Array(length),
        oldLogprobs: new Float64Array(length),
        advantages: new Float64Array(length),
        trainWeights: new Float64Array(length),
        tokenNodes: new Int32Array(length),
        trajectories,
        reward: endingReward(tree, ending),
      };
      let offset = 0;
      for (const node of path) {
        const stepLength = tree.tokens(node).length;
        const end = offset + stepLength;
        sequence.tokens.set(tree.tokens(node), offset);
        sequence.oldLogprobs.set(tree.logprobs(node), offset);
        sequence.tokenNodes.fill(node, offset, end);
        const advantage = nodeAdvantages
          ? ((nodeAdvantages[groupIndex] as Float64Array)[node] as number)
          : ((rowAdvantages as Float64Array[])[groupIndex] as Float64Array)[row];
        sequence.advantages.fill(advantage as number, offset, end);
        const weight = tokenWeighting === "per-trajectory" ? trajectories : claimed[node] ? 0 : 1;
        claimed[node] = 1;
        sequence.trainWeights.fill(weight, offset, end);
        offset = end;
      }
      sequences.push(sequence);
    });
  });
  return makeTrainingBatch(sequences, tokenWeighting);
}

/** Nodes where at least one trajectory ends, in id order. */
function endingNodes(tree: ReasoningTree): number[] {
  const nodes: number[] = [];
  for (let node = 0; node < tree.size; node++) if (tree.endingCount(node) > 0) nodes.push(node);
  return nodes;
}

/** Mean reward of the trajectories ending exactly at `node` (its correct mass minus its children's). */
function endingReward(tree: ReasoningTree, node: number): number {
  let below = 0;
  for (const child of tree.children(node)) below += tree.rewardSum(child);
  return (tree.rewardSum(node) - below) / tree.endingCount(node);
}

function stepAdvantagesChecked(
  trees: readonly ReasoningTree[],
  estimator: AdvantageEstimator & { kind: "step" },
): Float64Array[] {
  const result = estimator.stepAdvantages(trees);
  if (result.length !== trees.length) {
    throw new TpoLossInputError(
      `returned ${result.length} arrays for ${trees.length} trees`,
      `estimator '${estimator.name}'`,
    );
  }
  result.forEach((advantages, index) => {
    const size = (trees[index] as ReasoningTree).size;
    if (advantages.length !== size) {
      throw new TpoLossInputError(
        `returned ${advantages.length} advantages for tree ${index}, which has ${size} nodes`,
        `estimator '${estimator.name}'`,
      );
    }
  });
  return result;
}

/** Each tree is a group of its trajectories; k identical ones count k times in the group statistics. */
function responseAdvantagesOfEndings(
  trees: readonly ReasoningTree[],
  endings: readonly number[][],
  estimator: AdvantageEstimator & { kind: "response" },
): Float64Array[] {
  const rewards: number[] = [];
  const groupSizes = new Int32Array(trees.length);
  const firstCopy: number[][] = [];
  trees.forEach((tree, group) => {
    const firsts: number[] = [];
    for (const ending of endings[group] as number[]) {
      firsts.push(rewards.length);
      const reward = endingReward(tree, ending);
      for (let copy = 0; copy < tree.endingCount(ending); copy++) rewards.push(reward);
    }
    groupSizes[group] = rewards.length - (firsts[0] ?? rewards.length);
    firstCopy.push(firsts);
  });
  const advantages = estimator.responseAdvantages(Float64Array.from(rewards), groupSizes);
  if (advantages.length !== rewards.length) {
    throw new TpoLossInputError(
      `returned ${advantages.length} advantages for ${rewards.length} responses`,
      `estimator '${estimator.name}'`,
    );
  }
  return firstCopy.map((firsts) => Float64Array.from(firsts, (index) => advantages[index] as number));
}
