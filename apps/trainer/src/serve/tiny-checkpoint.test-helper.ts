import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SymbolTokenizer, saveCheckpoint, selectBackend, TransformerModel } from "@ibtpo/policy-tfjs";
import type { Policy } from "@ibtpo/tree-sampler";
import { type RunningServer, startCompletionsServer } from "./completions-server.js";
import { loadServedPolicy, type ServedPolicy } from "./load-served-policy.js";
import type { ServeLimits } from "./serve-limits.js";

export interface TinyServe {
  readonly directory: string;
  readonly served: ServedPolicy;
  readonly server: RunningServer;
  stop(): Promise<void>;
}

/** Symbols of the tiny model: digits, '+', '=' and the step delimiter. */
const TINY_SYMBOLS = [..."0123456789+=", "\n"];

/**
 * A freshly initialised tiny transformer saved as a real checkpoint in a temporary folder, loaded
 * back and served on a free loopback port.
 */
export async function startTinyServe(
  options: {
    readonly contextLength?: number;
    readonly seed?: number;
    /** The tokenizer's symbols; default {@link TINY_SYMBOLS}. */
    readonly symbols?: readonly string[];
    /** Serve a wrapper of the checkpoint's policy (to hold it back or make it fail). */
    readonly wrapPolicy?: (policy: Policy) => Policy;
    readonly limits?: Partial<ServeLimits>;
    readonly maxBatchSize?: number;
    /** The checkpoint's manifest metadata (e.g. its task); default a note naming the test. */
    readonly metadata?: Record<string, unknown>;
  } = {},
): Promise<TinyServe> {
  await selectBackend({ backend: "wasm", log: () => {} });
  const directory = await mkdtemp(join(tmpdir(), "ibtpo-serve-"));
  const checkpoint = join(directory, "tiny");
  const tokenizer = SymbolTokenizer.fromSymbols(options.symbols ?? TINY_SYMBOLS);
  const model = TransformerModel.create(
    {
      vocabSize: tokenizer.vocabSize,
      contextLength: options.contextLength ?? 48,
      modelDimension: 16,
      layers: 1,
      heads: 2,
      initScale: 0.5,
    },
    { seed: options.seed ?? 7 },
  );
  await saveCheckpoint(checkpoint, { model, tokenizer, metadata: options.metadata ?? { purpose: "serve test" } });
  model.dispose();
  const served = await loadServedPolicy(checkpoint);
  const policy = options.wrapPolicy?.(served.policy) ?? served.policy;
  const server = await startCompletionsServer({
    policy,
    model: served.model,
    topLogprobs: served.topLogprobs,
    port: 0,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize }),
  });
  return {
    directory: checkpoint,
    served,
    server,
    stop: async () => {
      await server.close(1000);
      await served.dispose();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
