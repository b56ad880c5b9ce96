import { existsSync } from "node:fs";
import { join } from "node:path";
import { sampleProblems } from "@ibtpo/bench-harness";
import { createTask } from "../runtime/task-setup.js";
import { ConfigError } from "./config-error.js";
import { precheckOutputFolder, precheckProblemCount } from "./precheck.js";
import type { PretrainConfig } from "./pretrain-config.js";

/**
 * The checks of a pretrain config that need no model, made before any work: the output folder
 * is new, empty or a checkpoint, the context holds a prompt and a whole response, and the
 * problem counts fit their splits.
 */
export function precheckPretrain(config: PretrainConfig, out: string): void {
  precheckOutputFolder(
    out,
    `--out ${out}`,
    (directory) => existsSync(join(directory, "manifest.json")),
    "a checkpoint",
  );
  const task = createTask(config.task, config.taskOptions);
  if (config.model.contextLength !== undefined) {
    const prompts = sampleProblems(task, { split: "train", count: 500, seed: config.seed });
    const needed = Math.max(...prompts.map((problem) => problem.prompt.length)) + task.maxResponseSymbols + 2;
    if (config.model.contextLength < needed) {
      throw new ConfigError(
        `config key "model.contextLength": ${config.model.contextLength} tokens cannot hold a prompt and a whole response of task ${task.name} (${needed} with BOS and EOS); leave it unset for the default`,
      );
    }
  }
  precheckProblemCount(task, "train", config.batchSize, 'config key "batchSize"');
  precheckProblemCount(task, "validation", config.evalProblems, 'config key "evalProblems"');
}
