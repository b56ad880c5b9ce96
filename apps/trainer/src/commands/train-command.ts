import { runFolderPath } from "@ibtpo/bench-harness";
import { Command } from "commander";
import { ConfigError } from "../config/config-error.js";
import { trainConfigHelp } from "../config/config-help.js";
import { numberFlag, parseSetFlags } from "../config/flag-overrides.js";
import { ALGORITHMS, BACKENDS, TASKS } from "../config/package-choices.js";
import { loadTrainConfig } from "../config/train-flags.js";
import { shown } from "../runtime/progress.js";
import { readRecordedTrainConfig } from "../train/run-config.js";
import { train } from "../train/train-run.js";
import { DEFAULT_WORKERS, parseWorkersFlag } from "../train/training-workers.js";

export function trainCommand(): Command {
  return new Command("train")
    .description("RL from a base checkpoint with IB-TPO or a baseline, at a fixed generated-token budget per prompt")
    .option("-c, --config <file>", "YAML or JSON config file")
    .option("--algo <name>", ALGORITHMS.join(" | "))
    .option("--task <name>", TASKS.join(" | "))
    .option("--init <dir>", "base checkpoint (from ibtpo pretrain)")
    .option("--steps <n>", "RL steps", numberFlag)
    .option("--budget <n>", "generated tokens per prompt per step", numberFlag)
    .option("--seed <n>", "random seed", numberFlag)
    .option("--backend <name>", BACKENDS.join(" | "))
    .option("-o, --out <dir>", "run folder (default runs/<task>/<algo>/seed-<seed>)")
    .option("--resume", "continue the run in --out from its latest checkpoint")
    .option("--quiet", "no progress bars (log lines only)")
    .option(
      "--workers <n>",
      "worker threads for sampling and training: auto (1 when a second core is free), a count, or 0 (same results)",
      String(DEFAULT_WORKERS),
    )
    .option("--set <key=value...>", "any config key, e.g. --set advantage.lambda=0.2", [])
    .addHelpText(
      "after",
      `
Examples:
  ibtpo train --algo ib-tpo --init checkpoints/countdown-base --steps 30
  ibtpo train --algo grpo --config train.yaml --set optimizer.learningRate=3e-4
  ibtpo train --out runs/countdown/ib-tpo/seed-1 --resume
  ibtpo train -c runs/countdown/ib-tpo/seed-1/config.json --out runs/again   # the same run again
  ibtpo train --algo grpo --init checkpoints/countdown-base --workers 0

${trainConfigHelp()}`,
    )
    .action(async (flags) => {
      const workers = parseWorkersFlag(flags.workers);
      const sets = parseSetFlags(flags.set);
      if (flags.resume) {
        if (flags.out === undefined) throw new ConfigError("--resume needs --out <run folder>");
        // A resumed run keeps the config it started with.
        const resumed = await readRecordedTrainConfig(flags.out);
        const result = await train(resumed, {
          out: flags.out,
          resume: true,
          workers,
          progress: !flags.quiet,
          log: (line) => console.error(line),
        });
        report(result.runDirectory, result.evaluation);
        return;
      }
      const config = await loadTrainConfig(flags.config, flags, sets);
      const out = config.out ?? runFolderPath(".", config);
      const result = await train(config, { out, workers, progress: !flags.quiet, log: (line) => console.error(line) });
      report(result.runDirectory, result.evaluation);
    });
}

function report(
  runDirectory: string,
  evaluation: { passAt1Greedy: number | null; passAtK: Record<string, number> } | null,
) {
  if (evaluation === null) {
    console.log(`interrupted; resume with: ibtpo train --out ${runDirectory} --resume`);
    // The checkpoint is saved; the exit code says the run did not finish (128 + SIGINT).
    process.exitCode = 130;
    return;
  }
  const ks = Object.entries(evaluation.passAtK)
    .map(([k, value]) => `pass@${k} ${shown(value)}`)
    .join(", ");
  console.log(`test: greedy pass@1 ${shown(evaluation.passAt1Greedy)}, ${ks}; run folder ${runDirectory}`);
}
