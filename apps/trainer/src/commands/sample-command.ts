import type { Split } from "@ibtpo/bench-harness";
import { SERVER_KINDS } from "@ibtpo/policy-http";
import { Command, Option } from "commander";
import { advantageEstimatorChoices, advantageEstimatorFor } from "../advantages/advantage-estimator-choice.js";
import { ConfigError } from "../config/config-error.js";
import { numberFlag } from "../config/flag-overrides.js";
import { TASKS } from "../config/package-choices.js";
import { shown } from "../runtime/progress.js";
import { sampleRollouts } from "../serve/sample-rollouts.js";

function integer(value: unknown, flag: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ConfigError(`${flag} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `key=value` pairs with numeric values (sampler or task settings), named by their flag in errors. */
function numericPairs(pairs: readonly string[], flag: string, example: string): Record<string, number> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const [key, text] = pair.split("=", 2);
      const value = Number(text);
      if (!key || text === undefined || text.trim() === "" || !Number.isFinite(value)) {
        throw new ConfigError(`${flag} expects key=number (e.g. ${example}), got "${pair}"`);
      }
      return [key, value];
    }),
  );
}

const optionalInteger = (value: unknown, flag: string, min: number) =>
  value === undefined ? undefined : integer(value, flag, min);

/** `--extra-body '{"key": value}'`: a JSON object merged into every completion request. */
export function extraBodyFlag(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `--extra-body must be a JSON object, got ${JSON.stringify(text)}: ${(error as Error).message}`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`--extra-body must be a JSON object (e.g. '{"repetition_penalty": 1}'), got ${text}`);
  }
  return value as Record<string, unknown>;
}

export function sampleCommand(): Command {
  return new Command("sample")
    .description(
      "Sample reasoning trees from an OpenAI-compatible server (ibtpo serve, vLLM, SGLang, llama.cpp) and write rollouts JSONL",
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
    .option(
      "--task-option <key=value...>",
      "task setting, e.g. --task-option numbers=3 (default: the served checkpoint's, which ibtpo serve names; else the task's defaults)",
      [],
    )
    .option("--temperature <t>", "sampling temperature", numberFlag)
    .option("--max-response-length <n>", "longest response in tokens", numberFlag)
    .option("--concurrency <n>", "requests in flight", numberFlag, 8)
    .option("--timeout <ms>", "per-request timeout", numberFlag, 120_000)
    .option("--retries <n>", "attempts per request, the first included", numberFlag, 4)
    .option("--eos-token <id>", "end token id, for servers that do not describe it", numberFlag)
    .option("--step-delimiter-token <id>", "step delimiter token id, for servers that do not describe it", numberFlag)
    .addOption(
      new Option("--advantages <estimator>", "add each line's per-token advantages (as ibtpo advantages)").choices(
        advantageEstimatorChoices,
      ),
    )
    .addOption(
      new Option("--server-kind <kind>", "server dialect (default: detected from GET /v1/models)").choices([
        ...SERVER_KINDS,
      ]),
    )
    .addOption(
      new Option(
        "--entropy <source>",
        "per-token entropies: exact from ibtpo serve, a lower bound from top log-probs, or none (default: server on ibtpo serve, none elsewhere)",
      ).choices(["server", "top-k-lower-bound", "none"]),
    )
    .option(
      "--top-logprobs <k>",
      "top log-probs asked for per token (k of the entropy bound; default 5 with --entropy top-k-lower-bound)",
      numberFlag,
    )
    .addOption(
      new Option(
        "--server-logprobs <meaning>",
        "what the server's log-probs describe, when not its default (vLLM started with --logprobs-mode processed_logprobs: sampling-temperature)",
      ).choices(["sampling-temperature", "temperature-1"]),
    )
    .option(
      "--extra-body <json>",
      "JSON object merged into every completion request (wins over the neutral sampling fields)",
    )
    .addHelpText(
      "after",
      `
The file has one line per trajectory: prompt_id, tokens, logprobs, entropies (ibtpo serve, or a
lower bound with --entropy top-k-lower-bound), step_ends, reward, truncated; read it with
\`ib-score analyze\` or \`ibtpo analyze\`. Other servers do not name the model's token ids: pass
--eos-token and --step-delimiter-token (for a model from \`ibtpo export\`, the ids of its tokenizer).

Examples:
  ibtpo serve checkpoints/countdown-base --port 8000 &
  ibtpo sample --server http://127.0.0.1:8000 --task countdown --sampler ib-tree --budget 512 --prompts 16 --out rollouts.jsonl
  ib-score analyze rollouts.jsonl
  ibtpo export checkpoints/countdown-base --format gguf --out countdown.gguf
  llama-server -m countdown.gguf --host 127.0.0.1 --port 8080 -c 40 -np 1 &
  ibtpo sample --server http://127.0.0.1:8080 --task countdown --eos-token 2 --step-delimiter-token 20 --budget 512`,
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
        const topLogprobs = optionalInteger(
          flags.topLogprobs,
          "--top-logprobs",
          flags.entropy === "top-k-lower-bound" ? 1 : 0,
        );
        const extraBody = extraBodyFlag(flags.extraBody);
        const result = await sampleRollouts({
          server: flags.server,
          task: flags.task,
          sampler: flags.sampler,
          samplerOptions: numericPairs(flags.samplerOption, "--sampler-option", "branches=4"),
          taskOptions: numericPairs(flags.taskOption, "--task-option", "numbers=3"),
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
          ...(flags.serverKind === undefined ? {} : { serverKind: flags.serverKind }),
          ...(flags.entropy === undefined ? {} : { entropy: flags.entropy }),
          ...(topLogprobs === undefined ? {} : { topLogprobs }),
          ...(flags.serverLogprobs === undefined ? {} : { logprobTemperature: flags.serverLogprobs }),
          ...(extraBody === undefined ? {} : { extraBody }),
          concurrency: integer(flags.concurrency, "--concurrency", 1),
          timeoutMs: integer(flags.timeout, "--timeout", 1),
          retry: { maxAttempts: integer(flags.retries, "--retries", 1) },
          signal: controller.signal,
          log: (line) => console.error(line),
          ...(flags.advantages === undefined ? {} : { advantages: advantageEstimatorFor(flags.advantages) }),
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
