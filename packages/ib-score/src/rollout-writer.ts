import { IbScoreInputError } from "./errors.js";
import type { NodeId, ReasoningTree } from "./reasoning-tree.js";
import { reusedStepsKey } from "./rollout-formats.js";
import type { RolloutRecord } from "./rollout-record.js";

/** One sampled response of a tree, as a sampler records it (the prompt excluded from `tokens`). */
export interface SampledTrajectory {
  readonly leaf: NodeId;
  readonly tokens: ArrayLike<number>;
  readonly logprobs: ArrayLike<number>;
  readonly entropies: ArrayLike<number> | null;
  readonly reward: number;
  readonly truncated: boolean;
  /**
   * Leading steps of its path continued from an earlier trajectory rather than drawn again (a
   * branch reuses its fork's prefix); absent = 0, every step drawn (i.i.d. chains).
   */
  readonly reusedSteps?: number;
}

/**
 * A trajectory of a sampled tree as a rollout record: its own per-token data, and the exclusive
 * end of each tree step along its path, and how many leading steps it reused. Re-merging such
 * records in order by equal step prefixes (what `ib-score analyze` does) rebuilds the tree: its
 * shape, and its multiplicities, since reused steps are not counted as draws again.
 *
 * @example
 * const record = trajectoryRolloutRecord("countdown-17", tree, trajectory);
 * record.stepEnds; // [4, 9, 13]
 */
export function trajectoryRolloutRecord(
  promptId: string,
  tree: ReasoningTree,
  trajectory: SampledTrajectory,
): RolloutRecord {
  const stepEnds: number[] = [];
  let end = 0;
  for (const node of tree.path(trajectory.leaf)) {
    end += tree.tokenCount(node);
    stepEnds.push(end);
  }
  if (end !== trajectory.tokens.length) {
    throw new IbScoreInputError(
      `its steps cover ${end} tokens but it has ${trajectory.tokens.length}`,
      `prompt ${promptId}, trajectory ending at node ${trajectory.leaf}`,
    );
  }
  return {
    promptId,
    tokens: Array.from(trajectory.tokens),
    logprobs: Array.from(trajectory.logprobs),
    entropies: trajectory.entropies === null ? null : Array.from(trajectory.entropies),
    stepEnds,
    reward: trajectory.reward,
    truncated: trajectory.truncated,
    reusedSteps: trajectory.reusedSteps ?? 0,
  };
}

/**
 * One JSONL line of the 'tokens' rollout format (no newline), the inverse of `parseRolloutRecord`:
 * `{prompt_id, tokens, logprobs, entropies?, step_ends, reward, truncated, reused_steps?}`
 * (`reused_steps` only when some steps were reused, so i.i.d. lines stay as before).
 *
 * @example
 * writeFileSync("rollouts.jsonl", records.map((r) => `${formatRolloutRecord(r)}\n`).join(""));
 */
export function formatRolloutRecord(record: RolloutRecord): string {
  if (record.logprobs === null) {
    throw new IbScoreInputError("the tokens format needs per-token log-probs", `prompt ${record.promptId}`);
  }
  const entropies = record.entropies ?? null;
  return JSON.stringify({
    prompt_id: record.promptId,
    tokens: Array.from(record.tokens),
    logprobs: Array.from(record.logprobs),
    ...(entropies === null ? {} : { entropies: Array.from(entropies) }),
    step_ends: Array.from(record.stepEnds),
    reward: record.reward,
    truncated: record.truncated === true,
    ...((record.reusedSteps ?? 0) === 0 ? {} : { [reusedStepsKey]: record.reusedSteps }),
  });
}
