import type { ResponseAdvantageEstimator } from "./advantage-estimator.js";
import { TpoLossInputError } from "./errors.js";
import { makeTrainingBatch, type TrainingBatch, type TrainingSequence } from "./training-batch.js";

/** One sampled response of a group (chains sampler or any other RL system). */
export interface GroupResponse {
  readonly tokens: ArrayLike<number>;
  /** Sampling-time log-probs; zeros when omitted. */
  readonly logprobs?: ArrayLike<number>;
  readonly reward: number;
  /** The response hit the length limit; with `maskTruncated` it gets train weight 0. Default false. */
  readonly truncated?: boolean;
}

/** The responses sampled for one prompt. */
export interface ResponseGroup {
  readonly promptId?: string;
  readonly promptTokens?: ArrayLike<number>;
  readonly responses: readonly GroupResponse[];
}

export interface GroupBatchOptions {
  /**
   * Give truncated responses train weight 0 (TRL's `mask_truncated_completions`); their rewards
   * still count in their group's statistics. Default false.
   */
  readonly maskTruncated?: boolean;
}

/**
 * Turn GRPO-style groups into training rows, one per response, each token carrying the
 * response's advantage with train weight 1 (0 for a truncated response under `maskTruncated`).
 * The rows have the same `TrainingBatch` shape as the tree path, so a trainer has one code path
 * for every algorithm.
 *
 * @example
 * const batch = trainingBatchFromGroups(
 *   [{ promptId: "q1", responses: [{ tokens: [4, 2], reward: 1 }, { tokens: [4, 3], reward: 0 }] }],
 *   grpoEstimator(),
 * );
 * batch.sequences[0].advantages; // [0.7070, 0.7070]
 */
export function trainingBatchFromGroups(
  groups: readonly ResponseGroup[],
  estimator: ResponseAdvantageEstimator,
  options: GroupBatchOptions = {},
): TrainingBatch {
  const maskTruncated = options.maskTruncated ?? false;
  const rewards = Float64Array.from(groups.flatMap((group) => group.responses.map((response) => response.reward)));
  const groupSizes = Int32Array.from(groups, (group) => group.responses.length);
  const advantages = estimator.responseAdvantages(rewards, groupSizes);
  if (advantages.length !== rewards.length) {
    throw new TpoLossInputError(
      `returned ${advantages.length} advantages for ${rewards.length} responses`,
      `estimator '${estimator.name}'`,
    );
  }
  const sequences: TrainingSequence[] = [];
  let index = 0;
  groups.forEach((group, groupIndex) => {
    const promptTokens = Int32Array.from(group.promptTokens ?? []);
    group.responses.forEach((response, responseIndex) => {
      const location = `group ${groupIndex} response ${responseIndex}`;
      const length = response.tokens.length;
      if (length < 1) throw new TpoLossInputError("a response must have at least one token", location);
      if (response.logprobs !== undefined && response.logprobs.length !== length) {
        throw new TpoLossInputError(
          `logprobs has length ${response.logprobs.length}, tokens has length ${length}`,
          location,
        );
      }
      sequences.push({
        groupIndex,
        promptId: group.promptId ?? "",
        promptTokens,
        tokens: Int32Array.from(response.tokens),
        oldLogprobs: response.logprobs === undefined ? new Float64Array(length) : Float64Array.from(response.logprobs),
        advantages: new Float64Array(length).fill(advantages[index] as number),
        trainWeights: new Float64Array(length).fill(maskTruncated && response.truncated ? 0 : 1),
        tokenNodes: new Int32Array(length).fill(-1),
        trajectories: 1,
        reward: response.reward,
      });
      index++;
    });
  });
  return makeTrainingBatch(sequences, "per-trajectory");
}
