import type { Split } from "@ibtpo/bench-harness";
import { Command, Option } from "commander";
import { ConfigError } from "../config/config-error.js";
import { numberFlag } from "../config/flag-overrides.js";
import { TASKS } from "../config/train-config.js";
import { shown } from "../runtime/progress.js";
import { sampleRollouts } from "../serve/sample-rollouts.js";

function integer(value: unknown, flag: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ConfigError(`${flag} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `key=value` pairs with numeric values, as the sampler's settings. */
function samplerOptions(pairs: readonly string[]): Record<string, number> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const [key, text] = pair.split("=", 2);
      const value = Number(text);
      if (!key || text === undefined || text.trim() === "" || !Number.isFinite(value)) {
        throw new ConfigError(`--sampler-option expects key=number (e.g. branches=4), got "${pair}"`);
      }
      return [key, value];
    }),
  );
}

const optionalInteger = (value: unknown, flag: string, min: number) =>
  value === undefined ? undefined : integer(value, flag, min);

export function sampleCommand(): Command {
  return new Command("sample")
    .description(
      "Sample reasoning trees from an OpenAI-compatible server (ibtpo serve, vLLM, SGLang) and write rollouts JSONL",
    )
    .requiredOption("--server <url>", "server root, e.g. http://127.0.0.1:8000")
    .addOption(
      new Option("--task <name>", "task whose prompts are sampled and whose verifier scores responses")
        .choices([...TASKS])
        .makeOptionMandatory(),
    )
    .addOption(
      new Option("--sampler <kind>", "tree sampler")
        .choices(["ib-tree", "entropy-tree", "random-tree", "chains"])
        .default("ib-tree"),
    )
    .requiredOption("--budget <n>", "generated tokens per prompt", numberFlag)
    .option("--prompts <n>", "problems to sample", numberFlag, 8)
    .option("--seed <n>", "seed of the problems and of every request", numberFlag, 0)
    .addOption(new Option("--split <split>", "problem split").choices(["train", "validation", "test"]).default("train"))
    .option("-o, --out <file>", "rollouts JSONL (written only when every prompt finished)", "rollouts.jsonl")
    .option("--model <id>", "model id (default: the server's first)")
    .option("--sampler-option <key=value...>", "sampler setting, e.g. --sampler-option branches=4 rounds=32", [])
    .option("--temperature <t>", "sampling temperature", numberFlag)
    .option("--max-response-length <n>", "longest response in tokens", numberFlag)
    .option("--concurrency <n>", "requests in flight", numberFlag, 8)
    .option("--timeout <ms>", "per-request timeout", numberFlag, 120_000)
    .option("--retries <n>", "attempts per request, the first included", numberFlag, 4)
    .option("--eos-token <id>", "end token id, for servers that do not describe it", numberFlag)
    .option("--step-delimiter-token <id>", "step delimiter token id, for servers that do not describe it", numberFlag)
    .addHelpText(
      "after",
      `
The file has one line per trajectory: prompt_id, tokens, logprobs, entropies (ibtpo serve only),
step_ends, reward, truncated; read it with \`ib-score analyze\` or \`ibtpo analyze\`.

Examples:
  ibtpo serve checkpoints/countdown-base --port 8000 &
  ibtpo sample --server http://127.0.0.1:8000 --task countdown --sampler ib-tree --budget 512 --prompts 16 --out rollouts.jsonl
  ib-score analyze rollouts.jsonl`,
    )
    .action(async (flags) => {
      const controller = new AbortController();
      const onSignal = () => {
        if (controller.signal.aborted) process.exit(130);
        console.error("\ncancelling; no rollouts file will be written");
        controller.abort(new Error("interrupted"));
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      try {
        const temperature = flags.temperature;
        if (temperature !== undefined && !(typeof temperature === "number" && temperature >= 0)) {
          throw new ConfigError(`--temperature must be a number >= 0, got ${JSON.stringify(temperature)}`);
        }
        const maxResponseLength = optionalInteger(flags.maxResponseLength, "--max-response-length", 1);
        const eosToken = optionalInteger(flags.eosToken, "--eos-token", 0);
        const stepDelimiterToken = optionalInteger(flags.stepDelimiterToken, "--step-delimiter-token", 0);
        const result = await sampleRollouts({
          server: flags.server,
          task: flags.task,
          sampler: flags.sampler,
          samplerOptions: samplerOptions(flags.samplerOption),
          budget: integer(flags.budget, "--budget", 1),
          prompts: integer(flags.prompts, "--prompts", 1),
          seed: integer(flags.seed, "--seed", 0),
          split: flags.split as Split,
          out: flags.out,
          ...(flags.model === undefined ? {} : { model: flags.model }),
          ...(temperature === undefined ? {} : { temperature }),
          ...(maxResponseLength === undefined ? {} : { maxResponseLength }),
          ...(eosToken === undefined ? {} : { eosToken }),
          ...(stepDelimiterToken === undefined ? {} : { stepDelimiterToken }),
          concurrency: integer(flags.concurrency, "--concurrency", 1),
          timeoutMs: integer(flags.timeout, "--timeout", 1),
          retry: { maxAttempts: integer(flags.retries, "--retries", 1) },
          signal: controller.signal,
          log: (line) => console.error(line),
        });
        const statistics = result.statistics;
        console.error(
          `trajectories ${statistics.trajectories}, generated tokens ${statistics.generatedTokens}, ` +
            `per 1k tokens ${shown(statistics.trajectoriesPer1kTokens, 2)}, mean reward ${shown(statistics.meanReward)}, ` +
            `Eff-Rate ${shown(statistics.effRate, 2)}, IB-Score ${shown(statistics.ibScore.ibScore)}`,
        );
        console.log(`${result.lines} rollouts written to ${result.out}`);
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    });
}
