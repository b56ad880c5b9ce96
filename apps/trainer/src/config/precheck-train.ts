import type { Task } from "@ibtpo/bench-harness";
import { MAX_PROMPTS_PER_STEP, precheckBudget, precheckOutputFolder, precheckProblemCount } from "./precheck.js";
import type { TrainConfig } from "./train-config.js";

/**
 * The checks of a train config that need no model: made before the run folder is created, so a
 * config that would fail at step 1 (or run for hours) fails at once and leaves nothing behind.
 */
export function precheckTrainRun(config: TrainConfig, task: Task, out: string): void {
  precheckOutputFolder(out, `--out ${out}`);
  precheckBudget(config.budget, config.maxResponseLength ?? task.maxResponseSymbols + 1);
  precheckProblemCount(task, "train", config.promptsPerStep, 'config key "promptsPerStep"', MAX_PROMPTS_PER_STEP);
  precheckProblemCount(task, config.evaluation.split, config.evaluation.problems, 'config key "evaluation.problems"');
  if (config.evaluation.every > 0) {
    precheckProblemCount(
      task,
      "validation",
      config.evaluation.validationProblems,
      'config key "evaluation.validationProblems"',
    );
  }
}
