import { runIbScoreCommand } from "@ibtpo/ib-score/command";
import { Command, Option } from "commander";

export function analyzeCommand(): Command {
  return new Command("analyze")
    .description("IB-Score of a rollouts JSONL file from any RL system (the same tool as `ib-score analyze`)")
    .argument("<rollouts>", "JSONL file, one response per line, or - for stdin")
    .option("--beta <b>", "weight of the information term (default 1)")
    .option("--alpha <a>", "pseudo-count of the values in the information term (default 0.5)")
    .addOption(new Option("--entropy <mode>", "how step token entropies combine").choices(["token-mean", "token-sum"]))
    .option("--unsorted", "allow a prompt's responses anywhere in the file")
    .option("--json", "print one JSON document")
    .option("--limit <n>", "prompts shown in the table")
    .addHelpText(
      "after",
      `
Each line: {"prompt_id", "tokens", "logprobs", "entropies"?, "step_ends", "reward"}.

Examples:
  ibtpo analyze examples/rollouts.sample.jsonl
  ibtpo analyze rollouts.jsonl --json --beta 0.5`,
    )
    .action(async (file: string, flags: Record<string, string | boolean | undefined>) => {
      const argv = ["analyze", file];
      for (const name of ["beta", "alpha", "entropy", "limit"]) {
        const value = flags[name];
        if (typeof value === "string") argv.push(`--${name}`, value);
      }
      if (flags.unsorted) argv.push("--unsorted");
      if (flags.json) argv.push("--json");
      process.exitCode = await runIbScoreCommand(argv);
    });
}
