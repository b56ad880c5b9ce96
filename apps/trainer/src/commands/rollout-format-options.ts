import { RolloutLineReader, readFlagEscapes, rolloutFormats } from "@ibtpo/ib-score";
import { type Command, Option } from "commander";

/** The rollout-format flags shared by `ibtpo analyze` and `ibtpo advantages` (ib-score's names). */
export function addRolloutFormatOptions(command: Command): Command {
  return command
    .addOption(new Option("--format <format>", "line format (default: detected)").choices(rolloutFormats))
    .option("--step-delimiter <s>", 'openai/text: a step ends after text containing s (default "\\n")')
    .option("--prompt-key <key>", "field of the prompt id (default prompt_id)")
    .option("--response-key <key>", "text: field of the response (default response)")
    .option("--reward-key <key>", "field of the reward (default reward)");
}

/** The flag names {@link addRolloutFormatOptions} adds, as commander stores them. */
export const rolloutFormatFlagNames = ["format", "stepDelimiter", "promptKey", "responseKey", "rewardKey"] as const;

type RolloutFormatFlags = Partial<Record<(typeof rolloutFormatFlagNames)[number], string>>;

/** A line reader for the rollout-format flags given. */
export function readerFromFlags(flags: RolloutFormatFlags): RolloutLineReader {
  return new RolloutLineReader({
    ...(flags.format === undefined ? {} : { format: flags.format as (typeof rolloutFormats)[number] }),
    ...(flags.stepDelimiter === undefined ? {} : { stepDelimiter: readFlagEscapes(flags.stepDelimiter) }),
    ...(flags.promptKey === undefined ? {} : { promptKey: flags.promptKey }),
    ...(flags.responseKey === undefined ? {} : { responseKey: flags.responseKey }),
    ...(flags.rewardKey === undefined ? {} : { rewardKey: flags.rewardKey }),
  });
}
