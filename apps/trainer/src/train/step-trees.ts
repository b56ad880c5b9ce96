import { type RunFolder, stepTreeFiles } from "@ibtpo/bench-harness";
import { treeViewerPage } from "@ibtpo/ib-score";
import type { SymbolTokenizer } from "@ibtpo/policy-tfjs";
import { batchRolloutLines } from "../runtime/batch-rollout-lines.js";
import type { StepSample } from "./rl-step.js";

/** Whether step `step` saves its trees: every `every` steps and the last step; never when `every` is 0. */
export function savesTreesAt(step: number, every: number, lastStep: number): boolean {
  return every > 0 && (step % every === 0 || step === lastStep);
}

/**
 * Save a step's sampled trees in the run folder: every trajectory as a rollouts JSONL line
 * (ib-score's tokens format, so `ib-score analyze` reads it) and the tree-viewer page drawn from
 * those lines, with each step's text decoded by the run's tokenizer.
 */
export async function saveStepTrees(
  folder: RunFolder,
  step: number,
  sample: StepSample,
  tokenizer: SymbolTokenizer,
): Promise<void> {
  const lines = batchRolloutLines(sample.batch.samples, sample.problems);
  const html = await treeViewerPage(lines, folder.path(stepTreeFiles(step).rollouts), {
    format: "tokens",
    textOf: (token) => tokenizer.decode([token], { keepSpecial: true }),
  });
  await folder.writeStepTrees(step, lines.length === 0 ? "" : `${lines.join("\n")}\n`, html);
}
