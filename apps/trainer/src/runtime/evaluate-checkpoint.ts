import {
  type EvaluationProgress,
  evaluatePolicy,
  type PolicyEvaluation,
  type Problem,
  type Task,
} from "@ibtpo/bench-harness";
import { type ModelWorkerPool, type SymbolTokenizer, TfjsPolicy, type TransformerModel } from "@ibtpo/policy-tfjs";
import { withoutUndefined } from "../config/without-undefined.js";
import { Progress } from "./progress.js";
import { tokenizerCodec } from "./task-setup.js";

export interface EvaluateModelOptions {
  readonly model: TransformerModel;
  readonly tokenizer: SymbolTokenizer;
  readonly task: Task;
  readonly problems: readonly Problem[];
  /** Sampled responses per problem for pass@k (0: greedy only). */
  readonly samples: number;
  readonly temperature?: number;
  /** Nucleus truncation of the sampled responses (default 1: none). */
  readonly topP?: number;
  /** Keep the topK most likely tokens when sampling (default 0: all). */
  readonly topK?: number;
  readonly seed: number;
  /** Show a progress bar with this label; omit for silence. */
  readonly label?: string;
  /** Worker threads that decode a share of each large sampling call (same results as without). */
  readonly workerPool?: ModelWorkerPool | null;
}

/** Greedy pass@1, mean@k and pass@k of a model on a set of problems, with every response scored. */
export async function evaluateModel(options: EvaluateModelOptions): Promise<PolicyEvaluation> {
  const { model, tokenizer, task, problems, samples } = options;
  const policy = TfjsPolicy.fromTokenizer(model, tokenizer, {
    seed: options.seed,
    maxBatchSize: 128,
    ...(options.workerPool ? { workerPool: options.workerPool } : {}),
  });
  let progress: Progress | null = null;
  let phase: EvaluationProgress["phase"] | null = null;
  const onProgress = (event: EvaluationProgress) => {
    if (options.label === undefined) return;
    if (event.phase !== phase) {
      progress?.stop();
      phase = event.phase;
      progress = new Progress(`${options.label} ${event.phase === "greedy" ? "greedy" : `k=${samples}`}`, event.total);
    }
    progress?.update(event.completed);
  };
  const evaluation = await evaluatePolicy({
    policy,
    codec: tokenizerCodec(tokenizer),
    problems,
    verifier: task,
    maxTokens: Math.min(task.maxResponseSymbols + 1, model.config.contextLength),
    samples,
    ks:
      samples > 1
        ? [1, Math.min(4, samples), samples].filter((k, i, all) => all.indexOf(k) === i)
        : samples === 1
          ? [1]
          : [],
    // Absent truncation options keep the policy's own defaults (no truncation).
    sampling: {
      temperature: options.temperature ?? 1,
      ...withoutUndefined({ topP: options.topP, topK: options.topK }),
    },
    promptPrefix: [tokenizer.bosId],
    seed: options.seed,
    stepDelimiterToken: tokenizer.stepDelimiterId,
    onProgress,
  });
  (progress as Progress | null)?.stop();
  return evaluation;
}

/** Greedy pass@1 only (no sampling), for periodic checks during training; NaN without problems. */
export async function greedyPassAt1(
  options: Pick<EvaluateModelOptions, "model" | "tokenizer" | "task" | "problems" | "seed" | "workerPool">,
): Promise<number> {
  const { summary } = await evaluateModel({ ...options, samples: 0 });
  return summary.passAt1Greedy ?? Number.NaN;
}
