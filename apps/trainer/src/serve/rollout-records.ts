import type { PromptSample } from "@ibtpo/tree-sampler";

/** One line of a rollouts JSONL file, in the format `ib-score analyze` and `ibtpo analyze` read. */
export interface RolloutLine {
  readonly prompt_id: string;
  readonly tokens: number[];
  readonly logprobs: number[];
  readonly entropies?: number[];
  readonly step_ends: number[];
  readonly reward: number;
  readonly truncated: boolean;
}

/**
 * Every trajectory of a sampled tree as a rollout line: the response tokens (prompt excluded),
 * their log-probs (and entropies when the policy gave them), the exclusive end of each tree step
 * along the trajectory's path, the reward and the truncation flag. Re-merging these lines by equal
 * step prefixes (what `ib-score analyze` does) rebuilds the tree's shape.
 *
 * @example
 * const lines = rolloutLines("countdown-17", batch.samples[0]);
 * lines[0].step_ends; // [4, 9, 13]
 */
export function rolloutLines(promptId: string, sample: PromptSample): RolloutLine[] {
  const { tree } = sample;
  return sample.trajectories.map((trajectory, index) => {
    const stepEnds: number[] = [];
    let end = 0;
    for (const node of tree.path(trajectory.leaf)) {
      end += tree.tokenCount(node);
      stepEnds.push(end);
    }
    if (end !== trajectory.tokens.length) {
      throw new Error(
        `prompt ${promptId}, trajectory ${index}: its steps cover ${end} tokens but it has ${trajectory.tokens.length}`,
      );
    }
    return {
      prompt_id: promptId,
      tokens: Array.from(trajectory.tokens),
      logprobs: Array.from(trajectory.logprobs),
      ...(trajectory.entropies === null ? {} : { entropies: Array.from(trajectory.entropies) }),
      step_ends: stepEnds,
      reward: trajectory.reward,
      truncated: trajectory.truncated,
    };
  });
}
