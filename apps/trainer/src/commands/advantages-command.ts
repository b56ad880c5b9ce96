import { once } from "node:events";
import { createReadStream, createWriteStream, renameSync, rmSync } from "node:fs";
import type { Writable } from "node:stream";
import { readUtf8Lines } from "@ibtpo/ib-score";
import type { AdvantageOverrides } from "@ibtpo/tpo-loss";
import { Command, Option } from "commander";
import {
  type AdvantageEstimatorChoice,
  advantageEstimatorChoices,
  advantageEstimatorFor,
} from "../advantages/advantage-estimator-choice.js";
import { rolloutAdvantageLines } from "../advantages/rollout-advantages.js";
import { parseSetFlags } from "../config/flag-overrides.js";
import { addRolloutFormatOptions, readerFromFlags } from "./rollout-format-options.js";

interface AdvantagesFlags {
  readonly estimator: AdvantageEstimatorChoice;
  readonly option: readonly string[];
  readonly out?: string;
  readonly format?: string;
  readonly stepDelimiter?: string;
  readonly promptKey?: string;
  readonly responseKey?: string;
  readonly rewardKey?: string;
}

async function writeLine(output: Writable, line: string): Promise<void> {
  if (!output.write(`${line}\n`)) await once(output, "drain");
}

export function advantagesCommand(): Command {
  return addRolloutFormatOptions(
    new Command("advantages")
      .description(
        "write each rollout line back with a per-token `advantages` array (IB-TPO, TreeRL or GRPO), for training with TRL, verl or any trainer",
      )
      .argument("<rollouts>", "JSONL file, one response per line, a prompt's lines together, or - for stdin"),
  )
    .addOption(
      new Option("--estimator <name>", "advantage estimator (the train preset of that name)")
        .choices(advantageEstimatorChoices)
        .default("ib-tpo"),
    )
    .option("--option <key=value...>", "an advantage option of the estimator, e.g. --option lambda=0.2", [])
    .option("--out <file>", "write here (atomically: the file appears complete or not at all) instead of stdout")
    .addHelpText(
      "after",
      `
Each output line is the input line with "advantages": one number per token of the response
(tokens format: per token id; openai: per logprobs.tokens entry; text: per step). They are the
advantages \`ibtpo train\` gives the same tree. A prompt's lines must be contiguous: one group is
held in memory until the next prompt starts.

Examples:
  ibtpo advantages examples/rollouts.sample.jsonl --out rollouts.advantages.jsonl
  ibtpo advantages examples/rollouts.openai.jsonl --estimator ib-tpo --option lambda=0.2
  ibtpo advantages examples/rollouts.verl-text.jsonl --estimator treerl --prompt-key input --response-key output --reward-key score`,
    )
    .action(async (file: string, flags: AdvantagesFlags) => {
      const overrides = Object.fromEntries(
        parseSetFlags(flags.option).map(({ path, value }) => [path, value]),
      ) as AdvantageOverrides;
      const estimator = advantageEstimatorFor(flags.estimator, overrides);
      const reader = readerFromFlags(flags);
      const source = file === "-" ? "<stdin>" : file;
      const lines = readUtf8Lines(file === "-" ? process.stdin : createReadStream(file), source);
      const advantageLines = rolloutAdvantageLines(lines, source, { reader, estimator });
      if (flags.out === undefined) {
        try {
          for await (const line of advantageLines) await writeLine(process.stdout, line);
        } catch (error) {
          // A reader that stops early (`| head`) is not a failure.
          if ((error as NodeJS.ErrnoException).code !== "EPIPE") throw error;
        }
        return;
      }
      const temporary = `${flags.out}.${process.pid}.tmp`;
      const output = createWriteStream(temporary);
      try {
        for await (const line of advantageLines) await writeLine(output, line);
        output.end();
        await once(output, "finish");
        renameSync(temporary, flags.out);
      } catch (error) {
        output.destroy();
        rmSync(temporary, { force: true });
        throw error;
      }
    });
}
