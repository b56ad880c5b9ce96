import type { TokenWeighting } from "./option-choices.js";

/**
 * One training row: a response (a root-to-leaf path of a tree, or one sampled chain) with a
 * per-token advantage and a per-token train weight. The trainer feeds these, padded, to the loss
 * as `advantages` and `mask`, whatever algorithm produced them.
 */
export interface TrainingSequence {
  /** Index of the tree or group (prompt) in the batch. */
  readonly groupIndex: number;
  readonly promptId: string;
  readonly promptTokens: Int32Array;
  /** Response tokens (the prompt excluded). */
  readonly tokens: Int32Array;
  /** Sampling-time log-probs of the tokens (a merged tree node keeps the mean over its draws). */
  readonly oldLogprobs: Float64Array;
  readonly advantages: Float64Array;
  /** Loss weight of each token: 0 where the token is trained on another row ('dedup'). */
  readonly trainWeights: Float64Array;
  /** Tree node of each token, or -1 for chains. */
  readonly tokenNodes: Int32Array;
  /** Trajectories this row stands for: k when k identical responses ended at the same leaf. */
  readonly trajectories: number;
  /** Mean reward of those trajectories. */
  readonly reward: number;
}

export interface TrainingBatch {
  readonly sequences: readonly TrainingSequence[];
  readonly tokenWeighting: TokenWeighting;
  /** Sum of all train weights: the number of token trainings, the token-mean normaliser. */
  readonly trainedTokens: number;
}

/** Assemble a batch and its normaliser. */
export function makeTrainingBatch(
  sequences: readonly TrainingSequence[],
  tokenWeighting: TokenWeighting,
): TrainingBatch {
  let trainedTokens = 0;
  for (const sequence of sequences) for (const weight of sequence.trainWeights) trainedTokens += weight;
  return { sequences, tokenWeighting, trainedTokens };
}
