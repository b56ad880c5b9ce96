import { join } from "node:path";
import { REPORT_FILES } from "@ibtpo/bench-harness";
import { Command } from "commander";
import { compareRuns } from "../compare/run-compare.js";
import { ConfigError } from "../config/config-error.js";
import { numberFlag, parseSetFlags } from "../config/flag-overrides.js";
import { ALGORITHMS, TASKS } from "../config/package-choices.js";

function list(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function checkedList<T extends string>(values: readonly string[], allowed: readonly T[], flag: string): T[] {
  for (const value of values) {
    if (!allowed.includes(value as T))
      throw new ConfigError(`${flag}: unknown "${value}"; allowed: ${allowed.join(", ")}`);
  }
  return values as T[];
}

export function compareCommand(): Command {
  return new Command("compare")
    .description(
      "Train algorithms x seeds x tasks at an equal generated-token budget and report mean and 95% CI on the test split",
    )
    .option("-c, --config <file>", "YAML or JSON train config applied to every run")
    .option("--algos <list>", `comma-separated algorithms: ${ALGORITHMS.join(", ")}`, "ib-tpo,grpo")
    .option("--seeds <list>", "comma-separated seeds", "1,2,3")
    .option("--tasks <list>", `comma-separated tasks: ${TASKS.join(", ")}`, "countdown")
    .option("--init-dir <dir>", "folder holding <task>-base checkpoints", "checkpoints")
    .option("--jobs <n>", "runs trained at once, one process each", numberFlag, 2)
    .option(
      "--cores <n>",
      "cores this comparison may use (default: all of the machine's); runs get a worker thread only if they fit",
      numberFlag,
    )
    .option("-o, --out <dir>", "comparison folder", "runs/compare")
    .option("--title <text>", "report title")
    .option("--set <key=value...>", "config key for every run, e.g. --set steps=40", [])
    .addHelpText(
      "after",
      `
Runs already finished in --out are reused and interrupted ones resumed, so a comparison can be
stopped and started again; a run folder made with other settings (config file or --set) is an
error naming it and each differing key, before any run starts. Each run gets a worker thread (ibtpo train --workers auto) only when
every one of the --jobs runs has a spare core (jobs x 2 <= cores); otherwise --workers 0. Several
comparisons sharing one machine each pass their share with --cores.

Examples:
  ibtpo compare --algos ib-tpo,grpo,grpo-entropy,grpo-clip-higher,treerl --seeds 1,2,3 --tasks countdown,graph-path
  ibtpo compare --config experiments/compare.yaml --out runs/compare-main --jobs 2`,
    )
    .action(async (flags) => {
      const algorithms = checkedList(list(flags.algos), ALGORITHMS, "--algos");
      const tasks = checkedList(list(flags.tasks), TASKS, "--tasks");
      const seeds = list(flags.seeds).map((seed) => {
        const value = Number(seed);
        if (!Number.isInteger(value) || value < 0)
          throw new ConfigError(`--seeds: "${seed}" is not a non-negative integer`);
        return value;
      });
      const jobs = flags.jobs;
      if (typeof jobs !== "number" || !Number.isInteger(jobs) || jobs < 1) {
        throw new ConfigError(`--jobs must be a positive integer, got ${JSON.stringify(jobs)}`);
      }
      const cores = flags.cores;
      if (cores !== undefined && (typeof cores !== "number" || !Number.isInteger(cores) || cores < 1)) {
        throw new ConfigError(`--cores must be a positive integer, got ${JSON.stringify(cores)}`);
      }
      const { results, markdown } = await compareRuns({
        algorithms,
        seeds,
        tasks,
        initDirectory: flags.initDir,
        jobs,
        ...(cores === undefined ? {} : { cores }),
        out: flags.out,
        ...(flags.title === undefined ? {} : { title: flags.title }),
        ...(flags.config === undefined ? {} : { configFile: flags.config }),
        overrides: parseSetFlags(flags.set),
      });
      console.log(markdown);
      console.log(`${results.runs.length} runs; report: ${join(flags.out, REPORT_FILES.html)}`);
    });
}
