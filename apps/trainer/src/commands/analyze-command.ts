import { ibScoreEstimators, rolloutFormats, stepEntropyModes, stepProbabilityModes } from "@ibtpo/ib-score";
import { runIbScoreCommand } from "@ibtpo/ib-score/command";
import { Command, Option } from "commander";

// Flags that take a value, forwarded to `ib-score analyze` under the same names.
const VALUE_FLAGS = [
  "format",
  "stepDelimiter",
  "promptKey",
  "responseKey",
  "rewardKey",
  "estimator",
  "beta",
  "stepProbability",
  "alpha",
  "entropy",
  "limit",
  "html",
] as const;
const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

export function analyzeCommand(): Command {
  return new Command("analyze")
    .description("IB-Score of a rollouts JSONL file from any RL system (the same tool as `ib-score analyze`)")
    .argument("<rollouts>", "JSONL file, one response per line, or - for stdin")
    .addOption(new Option("--format <format>", "line format (default: detected)").choices(rolloutFormats))
    .option("--step-delimiter <s>", 'openai/text: a step ends after text containing s (default "\\n")')
    .option("--prompt-key <key>", "field of the prompt id (default prompt_id)")
    .option("--response-key <key>", "text: field of the response (default response)")
    .option("--reward-key <key>", "field of the reward (default reward)")
    .addOption(new Option("--estimator <e>", "IB-Score form (default paper)").choices(ibScoreEstimators))
    .option("--beta <b>", "the trade-off beta (default 5 for paper, 1 for shannon)")
    .addOption(
      new Option("--step-probability <mode>", "paper form: step probability (default geometric)").choices(
        stepProbabilityModes,
      ),
    )
    .option("--alpha <a>", "pseudo-count of the values in the Shannon information term (default 0.5)")
    .addOption(new Option("--entropy <mode>", "how step token entropies combine").choices(stepEntropyModes))
    .option("--unsorted", "allow a prompt's responses anywhere in the file")
    .option("--json", "print one JSON document")
    .option("--limit <n>", "prompts shown in the table")
    .option("--html <file>", "also write a page drawing each prompt's tree")
    .addHelpText(
      "after",
      `
Formats: tokens {"prompt_id", "tokens", "logprobs", "entropies"?, "step_ends", "reward"},
openai (a completions choice with logprobs, plus prompt_id and reward), text (--response-key).
\`ib-score analyze --help\` shows an example line of each.

Examples:
  ibtpo analyze examples/rollouts.sample.jsonl
  ibtpo analyze rollouts.jsonl --json --estimator shannon --beta 0.5
  ibtpo analyze examples/rollouts.verl-text.jsonl --prompt-key input --response-key output --reward-key score`,
    )
    .action(async (file: string, flags: Record<string, string | boolean | undefined>) => {
      const argv = ["analyze", file];
      for (const name of VALUE_FLAGS) {
        const value = flags[name];
        if (typeof value === "string") argv.push(`--${kebab(name)}`, value);
      }
      if (flags.unsorted) argv.push("--unsorted");
      if (flags.json) argv.push("--json");
      process.exitCode = await runIbScoreCommand(argv);
    });
}
