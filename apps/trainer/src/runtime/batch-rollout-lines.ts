import { formatRolloutRecord, trajectoryRolloutRecord } from "@ibtpo/ib-score";
import type { PromptSample } from "@ibtpo/tree-sampler";

/**
 * Every trajectory of a sampled batch as rollouts JSONL lines (ib-score's tokens format, no
 * newlines), prompt by prompt; each prompt is named by its problem's id. Two draws of the same
 * problem stay two prompts: the second is `<id>#2`, and so on.
 */
export function batchRolloutLines(
  samples: readonly PromptSample[],
  problems: readonly { readonly id: string }[],
): string[] {
  const seen = new Map<string, number>();
  return samples.flatMap((sample) => {
    const id = (problems[sample.promptIndex] as { readonly id: string }).id;
    const count = (seen.get(id) ?? 0) + 1;
    seen.set(id, count);
    const promptId = count === 1 ? id : `${id}#${count}`;
    return sample.trajectories.map((trajectory) =>
      formatRolloutRecord(trajectoryRolloutRecord(promptId, sample.tree, trajectory)),
    );
  });
}
