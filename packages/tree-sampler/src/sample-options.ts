import type { IbScoreOptions, ReasoningTree } from "@ibtpo/ib-score";
import { checkCount } from "./check-option.js";
import { TreeSamplerError } from "./errors.js";
import type { BudgetCut } from "./fit-to-budget.js";
import type { ForkRequest } from "./fork-point.js";
import type { FinishReason, Policy, SamplingSettings } from "./policy.js";
import type { Sampler } from "./sampler.js";
import { delimiterSegmenter, type Segmenter } from "./segmenter.js";

/**
 * Reward of one finished response, in [0, 1] (the verifier). Not called for truncated responses,
 * which get 0.
 */
export type RewardFunction = (
  promptIndex: number,
  responseTokens: Int32Array,
  finishReason: FinishReason,
) => number | Promise<number>;

/** The final answer of a response, for counting distinct answers; null when it has none. */
export type AnswerExtractor = (promptIndex: number, responseTokens: Int32Array, lastStep: Int32Array) => string | null;

/** Called once per iteration, before the generate call, with every prompt that has forks planned. */
export type IterationListener = (event: {
  readonly iteration: number;
  readonly prompts: readonly {
    readonly promptIndex: number;
    readonly tree: ReasoningTree;
    readonly forks: readonly ForkRequest[];
  }[];
}) => void;

export interface SampleOptions {
  readonly sampler: Sampler;
  /** B: generated tokens allowed per prompt; reused prefix tokens are not counted. */
  readonly budget: number;
  /** Longest response in tokens (reused prefix included); longer ones are cut and flagged truncated. */
  readonly maxResponseLength: number;
  /**
   * A request that does not fit whole in the remaining budget is sent with a lower maxTokens
   * ('truncate', default: the budget is spent to the last token) or not sent ('drop': no
   * response is cut by the budget, so none carries the reward 0 of an unfinished response).
   */
  readonly budgetCut?: BudgetCut;
  /** Deepest step a tree may have; surplus steps of a response join its last allowed step. Default Infinity. */
  readonly maxDepth?: number;
  /** Default: a delimiter segmenter on `policy.stepDelimiter`. */
  readonly segmenter?: Segmenter;
  /** Sampling settings of every request (maxTokens and seed are set per request). */
  readonly sampling?: Omit<SamplingSettings, "maxTokens" | "seed">;
  /** Run seed; each request's seed is derived from (seed, prompt index, iteration, request index). */
  readonly seed: number;
  readonly reward: RewardFunction;
  /** Default: the text of the last step's token ids. */
  readonly answer?: AnswerExtractor;
  /** Options of the IB-Score reported in the statistics. */
  readonly ibScore?: IbScoreOptions;
  /**
   * Most tokens a request generates per generate call. Default Infinity: each request is sent
   * once, so a round of every prompt is one call and a call lasts as long as its longest response.
   * A finite chunk batches continuously across prompts: a request still generating is sent again
   * with its prefix extended by what it generated (and a seed derived from its own), and a prompt
   * whose round finished plans its next round into the next call while the others go on. Trees
   * stay deterministic from the seed and independent of their batch mates. With a policy that
   * resumes draws ({@link Policy.resumesDraws}, such as policy-tfjs's) a continued chunk keeps its
   * request's seed and skips the draws made, so the trees are those sampled without chunks (up to
   * the policy's float rounding); with other policies each chunk gets a derived seed and the trees
   * differ from the unchunked ones.
   */
  readonly decodeChunk?: number;
  /**
   * Decode continuously when the policy can ({@link Policy.decodeContinuously}): a prompt whose round
   * finished plans its next round, and its requests join the running decode batch at the next
   * step, while the other prompts' requests go on. The trees are those of one call per round (the
   * requests are the same), and no request is cut into chunks, so `decodeChunk` is not used. Ignored
   * (`decodeChunk` applies) when the policy has no such capability. Default false.
   */
  readonly continuousBatching?: boolean;
  /**
   * Let a policy that offers a prefix cache ({@link Policy.openPrefixCache}) reuse what it decoded
   * earlier in this batch: a branch continues from the cached prefix of its tree path, and with
   * `decodeChunk` a request's next chunk continues from its previous one. Default true; policies
   * without the capability are unaffected.
   */
  readonly prefixCache?: boolean;
  readonly signal?: AbortSignal;
  /**
   * Called before each call (with continuous batching: each time rounds start) with the prompts
   * whose round starts in it, once per iteration number.
   */
  readonly onIteration?: IterationListener;
}

export interface ResolvedSampleOptions extends SampleOptions {
  readonly budgetCut: BudgetCut;
  readonly decodeChunk: number;
  readonly maxDepth: number;
  readonly segmenter: Segmenter;
  readonly answer: AnswerExtractor;
}

const lastStepAnswer: AnswerExtractor = (_promptIndex, _responseTokens, lastStep) => lastStep.join(",");

export function resolveSampleOptions(options: SampleOptions, policy: Policy): ResolvedSampleOptions {
  checkCount(options.budget, "budget");
  checkCount(options.maxResponseLength, "maxResponseLength");
  const maxDepth = checkCount(options.maxDepth ?? Number.POSITIVE_INFINITY, "maxDepth", 1, true);
  const decodeChunk = checkCount(options.decodeChunk ?? Number.POSITIVE_INFINITY, "decodeChunk", 1, true);
  if (!Number.isSafeInteger(options.seed)) {
    throw new TreeSamplerError(`must be a safe integer, got ${options.seed}`, "option seed");
  }
  if (typeof options.reward !== "function") throw new TreeSamplerError("must be a function", "option reward");
  if (typeof options.sampler?.plan !== "function") {
    throw new TreeSamplerError("must be a Sampler (e.g. ibTreeSampler({...}))", "option sampler");
  }
  let segmenter = options.segmenter;
  if (segmenter === undefined) {
    if (policy.stepDelimiter === undefined) {
      throw new TreeSamplerError(`policy '${policy.name}' has no stepDelimiter; pass a segmenter`, "option segmenter");
    }
    segmenter = delimiterSegmenter([policy.stepDelimiter]);
  }
  const budgetCut = options.budgetCut ?? "truncate";
  if (budgetCut !== "truncate" && budgetCut !== "drop") {
    throw new TreeSamplerError(`must be 'truncate' or 'drop', got '${String(budgetCut)}'`, "option budgetCut");
  }
  return { ...options, budgetCut, decodeChunk, maxDepth, segmenter, answer: options.answer ?? lastStepAnswer };
}
