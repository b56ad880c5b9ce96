import { basename, resolve } from "node:path";
import { loadCheckpoint, TfjsPolicy } from "@ibtpo/policy-tfjs";
import type { TopLogprobsFunction } from "./completion-handler.js";
import type { ServedModel } from "./served-model.js";
import { topLogprobs } from "./top-logprobs.js";

const isNumberRecord = (value: unknown): value is Record<string, number> =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((item) => typeof item === "number");

export interface ServedPolicy {
  readonly policy: TfjsPolicy;
  readonly model: ServedModel;
  /** Top-k next-token log-probs of a generation (for `logprobs` > 0). */
  readonly topLogprobs: TopLogprobsFunction;
  /** Free the weights and stop decode workers. */
  dispose(): Promise<void>;
}

/**
 * Load a policy-tfjs checkpoint for serving: the model id is `modelId` or the folder's name.
 * Select the tfjs backend before calling.
 *
 * @example
 * const served = await loadServedPolicy("checkpoints/countdown-base");
 * served.model.id; // "countdown-base"
 */
export async function loadServedPolicy(
  directory: string,
  options: { readonly modelId?: string; readonly workers?: number; readonly maxBatchSize?: number } = {},
): Promise<ServedPolicy> {
  const { model, tokenizer, manifest } = await loadCheckpoint(directory);
  const { task, taskOptions } = manifest.metadata as { task?: unknown; taskOptions?: unknown };
  const policy = TfjsPolicy.fromTokenizer(model, tokenizer, {
    workers: options.workers ?? 0,
    maxBatchSize: options.maxBatchSize ?? 128,
  });
  return {
    policy,
    model: {
      id: options.modelId ?? basename(resolve(directory)),
      tokenizer,
      vocabSize: model.config.vocabSize,
      contextLength: model.config.contextLength,
      ...(typeof task === "string"
        ? { task: { name: task, options: isNumberRecord(taskOptions) ? taskOptions : {} } }
        : {}),
    },
    topLogprobs: (prefix, tokens, temperature, k) => topLogprobs(model, prefix, tokens, temperature, k),
    dispose: async () => {
      await policy.dispose();
      model.dispose();
    },
  };
}
