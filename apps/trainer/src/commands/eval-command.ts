import { type Split, sampleProblems } from "@ibtpo/bench-harness";
import { loadCheckpoint, selectBackend } from "@ibtpo/policy-tfjs";
import { Command, Option } from "commander";
import { ConfigError } from "../config/config-error.js";
import { numberFlag } from "../config/flag-overrides.js";
import { BACKENDS, TASKS } from "../config/package-choices.js";
import { precheckOutputFile, precheckProblemCount } from "../config/precheck.js";
import { writeFileAtomic, writeJsonAtomic } from "../runtime/atomic-file.js";
import { evaluateModel } from "../runtime/evaluate-checkpoint.js";
import { shown } from "../runtime/progress.js";
import { resolveCheckpoint } from "../runtime/resolve-checkpoint.js";
import { responseLines } from "../runtime/response-lines.js";
import { createTask } from "../runtime/task-setup.js";

function integerAtLeast(value: unknown, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${flag} must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

/** More samples per problem than this is a typo, not an evaluation. */
const MAX_SAMPLES = 1024;
const positiveInteger = (value: unknown, flag: string) => integerAtLeast(value, flag, 1, MAX_SAMPLES);
const nonNegativeInteger = (value: unknown, flag: string) => integerAtLeast(value, flag, 0);

function positiveTemperature(value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0)
    throw new ConfigError(`--temperature must be a finite number > 0, got ${JSON.stringify(value)}`);
  return value;
}

function topPFlag(value: unknown): number {
  if (typeof value !== "number" || !(value > 0 && value <= 1))
    throw new ConfigError(`--top-p must be a number in (0, 1], got ${JSON.stringify(value)}`);
  return value;
}

/** The text after "samples each" in the printed summary: the sampling settings that are not the default. */
function samplingNote(temperature: number, p: number, k: number): string {
  const parts = [
    temperature === 1 ? null : `temperature ${temperature}`,
    p === 1 ? null : `top-p ${p}`,
    k === 0 ? null : `top-k ${k}`,
  ].filter((part) => part !== null);
  return parts.length === 0 ? "" : ` at ${parts.join(", ")}`;
}

export function evalCommand(): Command {
  return new Command("eval")
    .description("Evaluate a checkpoint or a run's latest checkpoint: greedy pass@1, mean@k, pass@k, answer diversity")
    .argument("<checkpoint>", "checkpoint folder or run folder")
    .addOption(new Option("--task <name>", "task (default: the one the checkpoint was trained on)").choices([...TASKS]))
    .addOption(new Option("--split <split>", "problem split").choices(["test", "validation", "train"]).default("test"))
    .option("--problems <n>", "problems to evaluate", numberFlag, 200)
    .option("--samples <n>", "sampled responses per problem (k of pass@k)", numberFlag, 16)
    .option("--seed <n>", "seed of the sampled responses", numberFlag, 0)
    .option("--temperature <t>", "sampling temperature of the sampled responses", numberFlag, 1)
    .option("--top-p <p>", "nucleus truncation of the sampled responses (1: none)", numberFlag, 1)
    .option("--top-k <k>", "sample from the k most likely tokens (0: all)", numberFlag, 0)
    .option("--backend <name>", BACKENDS.join(" | "), "auto")
    .option("--json", "print the summary as JSON")
    .option("-o, --out <file>", "also write the summary to this JSON file")
    .option("--responses <file>", "also write every scored response, one JSON line per problem")
    .addHelpText(
      "after",
      `
Examples:
  ibtpo eval checkpoints/countdown-base --split validation --problems 100
  ibtpo eval runs/countdown/ib-tpo/seed-1 --samples 16 --json
  ibtpo eval checkpoints/line-walk-base --samples 8 --seed 1 --responses responses.jsonl
  ibtpo eval runs/countdown/ib-tpo/seed-1 --temperature 0.7 --top-p 0.95 --top-k 20   (the paper's sampling)`,
    )
    .action(async (path: string, flags) => {
      const resolved = await resolveCheckpoint(path, "the checkpoint argument");
      const taskName = flags.task ?? resolved.task;
      if (taskName === null) throw new ConfigError(`${path} does not record its task; pass --task`);
      const task = createTask(taskName, flags.task === undefined ? resolved.taskOptions : {});
      // Every flag is checked before the checkpoint is loaded and the evaluation starts.
      precheckProblemCount(task, flags.split as Split, flags.problems, "--problems");
      const samples = positiveInteger(flags.samples, "--samples");
      const seed = nonNegativeInteger(flags.seed, "--seed");
      const temperature = positiveTemperature(flags.temperature);
      const nucleus = topPFlag(flags.topP);
      const topK = integerAtLeast(flags.topK, "--top-k", 0);
      if (flags.out !== undefined) precheckOutputFile(flags.out, "--out");
      if (flags.responses !== undefined) precheckOutputFile(flags.responses, "--responses");
      await selectBackend({ backend: flags.backend, log: (line) => console.error(line) });
      const { model, tokenizer } = await loadCheckpoint(resolved.directory);
      const problems = sampleProblems(task, { split: flags.split as Split, count: flags.problems, seed: 0 });
      const { summary, perProblem } = await evaluateModel({
        model,
        tokenizer,
        task,
        problems,
        samples,
        temperature,
        topP: nucleus,
        topK,
        seed,
        label: flags.split,
      });
      if (flags.out !== undefined) await writeJsonAtomic(flags.out, summary);
      if (flags.responses !== undefined) await writeFileAtomic(flags.responses, responseLines(problems, perProblem));
      if (flags.json) {
        console.log(JSON.stringify(summary, null, 2));
        return;
      }
      const ks = Object.entries(summary.passAtK).map(([k, value]) => `pass@${k} ${shown(value)}`);
      console.log(
        [
          `${task.name} ${flags.split} (${summary.problems} problems, ${summary.samples} samples each${samplingNote(temperature, nucleus, topK)})`,
          `greedy pass@1 ${shown(summary.passAt1Greedy)}   mean@k ${shown(summary.meanAtK)}   ${ks.join("   ")}`,
          `mean tokens ${shown(summary.meanTokens, 1)}   answer diversity ${shown(summary.answerDiversity)}   well-formed ${shown(summary.wellFormedRate)}   truncated ${shown(summary.truncatedRate)}`,
          `sample IB-Score ${shown(summary.sampleIbScore?.ibScore)} (H ${shown(summary.sampleIbScore?.H)}, I ${shown(summary.sampleIbScore?.I)})`,
        ].join("\n"),
      );
    });
}
