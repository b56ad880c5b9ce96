import { resolve } from "node:path";
import { loadCheckpoint } from "@ibtpo/policy-tfjs";
import { integerOption, parseScriptArguments } from "../../../scripts/command-line.mjs";
import { loadConfig } from "../src/config/load-config.js";
import { trainConfigSchema } from "../src/config/train-config.js";
import { resolveCheckpoint } from "../src/runtime/resolve-checkpoint.js";
import { createTask } from "../src/runtime/task-setup.js";
import { resolveAlgorithm } from "../src/train/resolve-algorithm.js";
import { buildRlContext, type RlContext } from "../src/train/rl-context.js";

const repositoryRoot = new URL("../../../", import.meta.url).pathname;

/**
 * The flags of a bench over tasks and algorithms of a training config: --tasks, --algos, --steps,
 * --config, for the bench at `benchUrl` (its `import.meta.url`, whose header comment `--help`
 * prints). Exits with a message naming the bench when --steps is not an integer >= `steps.minimum`.
 */
export function taskBenchArguments(benchUrl: string, steps: { readonly initial: number; readonly minimum: number }) {
  const { values } = parseScriptArguments(benchUrl, {
    options: {
      tasks: { type: "string", default: "countdown,line-walk" },
      algos: { type: "string", default: "grpo,ib-tpo" },
      steps: { type: "string", default: String(steps.initial) },
      config: { type: "string", default: resolve(repositoryRoot, "experiments/main.yaml") },
    },
  });
  const count = integerOption(benchUrl, "--steps", values.steps, steps.minimum);
  return { config: values.config, tasks: values.tasks.split(","), algorithms: values.algos.split(","), steps: count };
}

/** An RL context of the config at `configPath` for a task and algorithm, from the task's shipped base, without workers. */
export async function baseRlContext(configPath: string, taskName: string, algorithm: string): Promise<RlContext> {
  const config = await loadConfig(trainConfigSchema, configPath, [
    { path: "algorithm", value: algorithm },
    { path: "task", value: taskName },
    { path: "init", value: resolve(repositoryRoot, `checkpoints/${taskName}-base`) },
  ]);
  const task = createTask(
    taskName as Parameters<typeof createTask>[0],
    (await resolveCheckpoint(config.init)).taskOptions,
  );
  return buildRlContext(config, resolveAlgorithm(config), task, await loadCheckpoint(config.init), {
    resume: false,
    workers: 0,
  });
}
