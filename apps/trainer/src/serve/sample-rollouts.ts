import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { type BuiltinTaskName, type Split, sampleProblems } from "@ibtpo/bench-harness";
import { RolloutLineReader } from "@ibtpo/ib-score";
import {
  connectCompletionsPolicy,
  type EntropySource,
  type LogprobTemperature,
  RemoteTokenizer,
  type RetryOptions,
  type ServerKind,
  type ServerModel,
} from "@ibtpo/policy-http";
import type { AdvantageEstimator, SamplerKind } from "@ibtpo/tpo-loss";
import { type BatchStatistics, type PromptSample, sampleBatch } from "@ibtpo/tree-sampler";
import { rolloutAdvantageLines } from "../advantages/rollout-advantages.js";
import { ConfigError } from "../config/config-error.js";
import { writeFileAtomic } from "../runtime/atomic-file.js";
import { batchRolloutLines } from "../runtime/batch-rollout-lines.js";
import { createTask } from "../runtime/task-setup.js";
import { samplerFor } from "../train/sampler-config.js";

export interface SampleRolloutsOptions {
  /** Server root, e.g. http://127.0.0.1:8000 */
  readonly server: string;
  readonly task: BuiltinTaskName;
  /**
   * The task's options (e.g. `{ numbers: 3 }`); default those of the checkpoint `ibtpo serve`
   * serves (its model card names them), else the task's defaults.
   */
  readonly taskOptions?: Readonly<Record<string, number>>;
  readonly sampler: SamplerKind;
  /** Overrides of the sampler's settings (e.g. `{ branches: 4 }`); unknown keys are errors. */
  readonly samplerOptions?: Readonly<Record<string, number>>;
  /** Generated tokens per prompt. */
  readonly budget: number;
  readonly prompts: number;
  readonly seed: number;
  readonly split: Split;
  /** Where the JSONL goes; written only once every prompt is finished. */
  readonly out: string;
  /** Default: the server's first model. */
  readonly model?: string;
  readonly temperature?: number;
  /** Default: the task's longest legal response plus the end token, within the server's context. */
  readonly maxResponseLength?: number;
  /** Needed when the server does not describe its token ids (`ibtpo serve` does). */
  readonly eosToken?: number;
  readonly stepDelimiterToken?: number;
  /** The server's dialect; default detected from `GET /v1/models`. */
  readonly serverKind?: ServerKind;
  /** `logprobs` count asked for (k of the top-k entropy bound). */
  readonly topLogprobs?: number;
  /** Where entropies come from; default exact ones from `ibtpo serve`, none elsewhere. */
  readonly entropy?: EntropySource;
  /** What the server's log-probs mean, when it differs from the dialect's default. */
  readonly logprobTemperature?: LogprobTemperature;
  /** Extra body fields for every completion request (they win over the neutral sampling fields). */
  readonly extraBody?: Readonly<Record<string, unknown>>;
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly retry?: RetryOptions;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  /**
   * Send a prompt's next round as soon as its own round is verified, while other prompts' requests
   * are still being generated (tree-sampler's `continuousBatching`); false: one batch of requests
   * per round of every prompt, each waiting for the slowest. The trees are the same. Default true.
   */
  readonly continuousBatching?: boolean;
  /** Add each line's per-token `advantages` (as `ibtpo advantages` writes them) from this estimator. */
  readonly advantages?: AdvantageEstimator;
}

/** The command-line flags that set what a server may not say, named in connection errors. */
const CLI_FLAGS = { eosToken: "--eos-token", entropy: "--entropy" } as const;

/** A response's tokens without its final end token (the verifier reads text, not ids). */
function withoutEndToken(tokens: ArrayLike<number>, eosToken: number): number[] {
  const ids = Array.from(tokens);
  return ids.at(-1) === eosToken ? ids.slice(0, -1) : ids;
}

/**
 * The task options prompts are drawn with: those given, else those of the checkpoint behind an
 * `ibtpo serve` card. A card naming another task is an error: its model never saw these prompts.
 */
function servedTaskOptions(
  options: Pick<SampleRolloutsOptions, "task" | "taskOptions">,
  card: ServerModel,
  log: (line: string) => void,
): Record<string, number> {
  const served = (card.ibtpo ?? {}) as { task?: unknown; task_options?: Record<string, number> };
  if (typeof served.task !== "string") return { ...options.taskOptions };
  if (served.task !== options.task) {
    throw new ConfigError(
      `--task ${options.task}, but the server's model ${card.id} was trained on ${served.task} (its checkpoint's manifest); pass --task ${served.task}`,
    );
  }
  if (options.taskOptions !== undefined && Object.keys(options.taskOptions).length > 0)
    return { ...options.taskOptions };
  const taskOptions = { ...served.task_options };
  const shown = Object.entries(taskOptions).map(([key, value]) => `${key}=${value}`);
  if (shown.length > 0) log(`task options of the served checkpoint: ${shown.join(" ")}`);
  return taskOptions;
}

export interface SampleRolloutsResult {
  readonly out: string;
  readonly lines: number;
  readonly statistics: BatchStatistics;
  /** The sampled trees, one per prompt, in prompt order. */
  readonly samples: readonly PromptSample[];
}

/**
 * Build trees for `prompts` problems of a task against an OpenAI-compatible server, verify every
 * response with the task, and write the trajectories as rollouts JSONL. Prompts are tokenized and
 * responses detokenized by the server (`/tokenize`, `/detokenize`), so any model served with its
 * own vocabulary works. Nothing is written unless every prompt finished: a failure or Ctrl-C
 * leaves no file that could be taken for a complete run.
 */
export async function sampleRollouts(options: SampleRolloutsOptions): Promise<SampleRolloutsResult> {
  const log = options.log ?? (() => {});
  await mkdir(dirname(resolve(options.out)), { recursive: true });
  const retry = options.retry ?? {};
  const { policy, card, contextLength, serverKind } = await connectCompletionsPolicy({
    baseUrl: options.server,
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(options.eosToken === undefined ? {} : { eosToken: options.eosToken }),
    ...(options.stepDelimiterToken === undefined ? {} : { stepDelimiter: options.stepDelimiterToken }),
    ...(options.serverKind === undefined ? {} : { serverKind: options.serverKind }),
    ...(options.topLogprobs === undefined ? {} : { topLogprobs: options.topLogprobs }),
    ...(options.entropy === undefined ? {} : { entropy: options.entropy }),
    ...(options.logprobTemperature === undefined ? {} : { logprobTemperature: options.logprobTemperature }),
    ...(options.extraBody === undefined ? {} : { extraBody: options.extraBody }),
    optionNames: CLI_FLAGS,
    maxConcurrency: options.concurrency ?? 8,
    timeoutMs: options.timeoutMs ?? 120_000,
    retry: { ...retry, seed: options.seed },
    seed: options.seed,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (policy.stepDelimiter === undefined) {
    throw new ConfigError("the server does not name its step-delimiter token; pass --step-delimiter-token");
  }
  const task = createTask(options.task, servedTaskOptions(options, card, log));
  const { sampler } = samplerFor(options.sampler === "random-tree" ? "ib-tree" : options.sampler, {
    ...options.samplerOptions,
    kind: options.sampler,
  });
  const tokenizer = new RemoteTokenizer({ baseUrl: options.server, model: card.id, serverKind, retry });
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const problems = sampleProblems(task, { split: options.split, count: options.prompts, seed: options.seed });
  const prompts = await Promise.all(problems.map((problem) => tokenizer.encode(problem.prompt, signal)));
  const longestPrompt = Math.max(...prompts.map((prompt) => prompt.length));
  const maxResponseLength = Math.min(
    options.maxResponseLength ?? task.maxResponseSymbols + 1,
    (contextLength ?? Number.POSITIVE_INFINITY) - longestPrompt,
  );
  if (!(maxResponseLength >= 1)) {
    throw new ConfigError(
      `the longest prompt has ${longestPrompt} tokens, which leaves no room in the server's context of ${contextLength}`,
    );
  }
  // The reward callback is async (the server detokenizes); keep each verdict for the answer extractor.
  const answers = new Map<string, string | null>();
  log(
    `sampling ${problems.length} ${task.name} prompts with ${options.sampler}, budget ${options.budget}, from ${card.id} at ${options.server} (${serverKind})`,
  );
  const batch = await sampleBatch(prompts, policy, {
    sampler,
    budget: options.budget,
    maxResponseLength,
    seed: options.seed,
    ...(options.temperature === undefined ? {} : { sampling: { temperature: options.temperature } }),
    reward: async (index, tokens) => {
      // The end token is an id, never text: servers that render it ("<eos>") would fail every answer.
      const text = await tokenizer.decode(withoutEndToken(tokens, policy.eosToken), signal);
      const verdict = task.verify(problems[index]!, text);
      answers.set(`${index}:${tokens.join(",")}`, verdict.answer);
      return verdict.reward;
    },
    answer: (index, tokens) => answers.get(`${index}:${tokens.join(",")}`) ?? null,
    // Not the trainer's decodeChunk: a server cannot resume a request's draws, so chunks would be
    // drawn with other seeds (other trees than the trainer's) and each would send its prefix again.
    continuousBatching: options.continuousBatching ?? true,
    ...signal,
  });
  const lines = batchRolloutLines(batch.samples, problems);
  const written: string[] = [];
  if (options.advantages === undefined) written.push(...lines);
  else {
    const reader = new RolloutLineReader({ format: "tokens" });
    for await (const line of rolloutAdvantageLines(lines, options.out, { reader, estimator: options.advantages }))
      written.push(line);
  }
  await writeFileAtomic(options.out, `${written.join("\n")}\n`);
  return { out: options.out, lines: lines.length, statistics: batch.statistics, samples: batch.samples };
}
