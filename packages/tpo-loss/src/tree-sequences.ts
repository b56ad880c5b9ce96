import type { ReasoningTree } from "@ibtpo/ib-score";
import type { AdvantageEstimator } from "./advantage-estimator.js";
import { requireOneOf, TpoLossInputError } from "./errors.js";
import { type TokenWeighting, tokenWeightings } from "./option-choices.js";
import { reachProbabilities } from "./reach-probability.js";
import { makeTrainingBatch, type TrainingBatch, type TrainingSequence } from "./training-batch.js";

export interface TreeBatchOptions {
  /**
   * 'per-trajectory' (default, docs/METHOD.md 5.1): every trajectory trains all its tokens, so a
   * row that stands for k identical trajectories has weight k. 'dedup': each tree token is trained
   * once, on the first row (in node id order of the rows' last steps) that contains it.
   * 'reach-probability' (project option, docs/METHOD.md 5.2): the tokens of step s weigh
   * traj(root) P(s) in all, P(s) the reach probability the draws estimate
   * ({@link reachProbabilities}), spread over the rows through s by their trajectories; equal to
   * 'per-trajectory' on i.i.d. chains, it stops a branched prefix from counting once per branch.
   * Response-level estimators (GRPO family) give a shared token different advantages on
   * different rows, so they only allow 'per-trajectory'.
   */
  readonly tokenWeighting?: TokenWeighting;
  /**
   * Give truncated trajectories train weight 0 (TRL's `mask_truncated_completions`); their rewards
   * still count in the advantages. Default false.
   */
  readonly maskTruncated?: boolean;
}

/** One training row of a tree: the path root -> `ending`, standing for `trajectories` responses. */
interface TreeRow {
  readonly ending: number;
  readonly trajectories: number;
  /** Of those, the ones that were not truncated (all of them unless `maskTruncated`). */
  readonly trained: number;
  readonly reward: number;
  /** The response advantage (response estimators); NaN for step estimators. */
  readonly advantage: number;
}

/**
 * Turn trees (one per prompt) into training rows, each token carrying its step's advantage (step
 * estimators) or the row's advantage (response estimators).
 *
 * Step estimators: one row per node where trajectories end (k identical trajectories make one row
 * with `trajectories: k`; they share every advantage). Response estimators such as GRPO over a
 * tree: each tree is one group whose samples are its trajectories with their own rewards, as TRL
 * counts them, so k identical responses are k samples; they make one row per distinct reward at
 * their leaf (two identical responses rewarded 1 and 0 are two rows with different advantages).
 *
 * @example
 * const batch = trainingBatchFromTrees(trees, ibTpoEstimator());
 * batch.trainedTokens; // token trainings of all trajectories (the token-mean normaliser)
 */
export function trainingBatchFromTrees(
  trees: readonly ReasoningTree[],
  estimator: AdvantageEstimator,
  options: TreeBatchOptions = {},
): TrainingBatch {
  const tokenWeighting = requireOneOf(options.tokenWeighting ?? "per-trajectory", tokenWeightings, "tokenWeighting");
  if (estimator.kind === "response" && tokenWeighting === "dedup") {
    throw new TpoLossInputError(
      `estimator '${estimator.name}' gives one advantage per response, so a shared token has no single advantage; use 'per-trajectory'`,
      "option tokenWeighting",
    );
  }
  const maskTruncated = options.maskTruncated ?? false;
  const nodeAdvantages = estimator.kind === "step" ? stepAdvantagesChecked(trees, estimator) : null;
  const rows =
    estimator.kind === "step"
      ? trees.map((tree) => stepRows(tree, maskTruncated))
      : responseRows(trees, estimator, maskTruncated);

  const sequences: TrainingSequence[] = [];
  trees.forEach((tree, groupIndex) => {
    const claimed = new Uint8Array(tree.size);
    const reachShare = tokenWeighting === "reach-probability" ? reachShares(tree) : null;
    for (const row of rows[groupIndex] as TreeRow[]) {
      if (row.ending === tree.root) continue; // an empty response has no token to train
      const path = tree.path(row.ending);
      const length = path.reduce((sum, node) => sum + tree.tokens(node).length, 0);
      const sequence: TrainingSequence = {
        groupIndex,
        promptId: tree.promptId,
        promptTokens: tree.promptTokens,
        tokens: new Int32Array(length),
        oldLogprobs: new Float64Array(length),
        advantages: new Float64Array(length),
        trainWeights: new Float64Array(length),
        tokenNodes: new Int32Array(length),
        trajectories: row.trajectories,
        reward: row.reward,
      };
      let offset = 0;
      for (const node of path) {
        const end = offset + tree.tokenCount(node);
        sequence.tokens.set(tree.tokens(node), offset);
        sequence.oldLogprobs.set(tree.logprobs(node), offset);
        sequence.tokenNodes.fill(node, offset, end);
        const advantage = nodeAdvantages
          ? ((nodeAdvantages[groupIndex] as Float64Array)[node] as number)
          : row.advantage;
        sequence.advantages.fill(advantage, offset, end);
        // Under 'dedup' a row with nothing to train (all its trajectories masked) claims no token,
        // so a shared token is trained on the next row that does train it.
        const weight =
          tokenWeighting === "dedup"
            ? row.trained === 0 || claimed[node]
              ? 0
              : 1
            : row.trained * (reachShare === null ? 1 : (reachShare[node] as number));
        if (weight > 0) claimed[node] = 1;
        sequence.trainWeights.fill(weight, offset, end);
        offset = end;
      }
      sequences.push(sequence);
    }
  });
  return makeTrainingBatch(sequences, tokenWeighting);
}

/**
 * Per node s, traj(root) P(s) / traj(s): the factor that turns a per-trajectory weight into a
 * reach-probability weight (1 in a prefix tree of i.i.d. responses).
 */
function reachShares(tree: ReasoningTree): Float64Array {
  const reach = reachProbabilities(tree);
  const total = tree.trajectoryCount(tree.root);
  const shares = new Float64Array(tree.size);
  for (let node = 1; node < tree.size; node++) {
    const trajectories = tree.trajectoryCount(node);
    if (trajectories > 0) shares[node] = (total * (reach[node] as number)) / trajectories;
  }
  return shares;
}

/** Nodes where at least one trajectory ends, in id order. */
function endingNodes(tree: ReasoningTree): number[] {
  const nodes: number[] = [];
  for (let node = 0; node < tree.size; node++) if (tree.endingCount(node) > 0) nodes.push(node);
  return nodes;
}

/** Step estimators: one row per ending node, with the mean reward of the trajectories ending there. */
function stepRows(tree: ReasoningTree, maskTruncated: boolean): TreeRow[] {
  return endingNodes(tree).map((ending) => {
    const rewards = tree.endingRewards(ending);
    const trajectories = rewards.length;
    const masked = maskTruncated ? tree.truncatedEndingCount(ending) : 0;
    const reward = rewards.reduce((sum, value) => sum + value, 0) / trajectories;
    return { ending, trajectories, trained: trajectories - masked, reward, advantage: Number.NaN };
  });
}

/**
 * Response estimators: every trajectory is a sample with its own reward; the samples ending at one
 * node make one row per distinct reward. The tree records how many endings at a node were
 * truncated but not which, so under `maskTruncated` the lowest rewards there are taken as the
 * truncated ones (this project's samplers give a truncated response reward 0).
 */
function responseRows(
  trees: readonly ReasoningTree[],
  estimator: AdvantageEstimator & { kind: "response" },
  maskTruncated: boolean,
): TreeRow[][] {
  const rewards: number[] = [];
  const groupSizes = new Int32Array(trees.length);
  const pending = trees.map((tree, group) => {
    const start = rewards.length;
    const rows = endingNodes(tree).flatMap((ending) => {
      const sorted = [...tree.endingRewards(ending)].sort((x, y) => x - y);
      let masked = maskTruncated ? tree.truncatedEndingCount(ending) : 0;
      const counts = new Map<number, number>();
      for (const reward of sorted) counts.set(reward, (counts.get(reward) ?? 0) + 1);
      return [...counts].map(([reward, trajectories]) => {
        const first = rewards.length;
        for (let copy = 0; copy < trajectories; copy++) rewards.push(reward);
        const maskedHere = Math.min(masked, trajectories);
        masked -= maskedHere;
        return { ending, trajectories, trained: trajectories - maskedHere, reward, first };
      });
    });
    groupSizes[group] = rewards.length - start;
    return rows;
  });
  const advantages = estimator.responseAdvantages(Float64Array.from(rewards), groupSizes);
  if (advantages.length !== rewards.length) {
    throw new TpoLossInputError(
      `returned ${advantages.length} advantages for ${rewards.length} responses`,
      `estimator '${estimator.name}'`,
    );
  }
  return pending.map((rows) => rows.map(({ first, ...row }) => ({ ...row, advantage: advantages[first] as number })));
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
