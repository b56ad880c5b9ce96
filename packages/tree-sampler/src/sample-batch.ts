import { type ReasoningTree, scoreTree, type TreeScore } from "@ibtpo/ib-score";
import type { ChunkedRequest } from "./chunked-request.js";
import { TreeSamplerError } from "./errors.js";
import type { FinishedRequest, GenerateOptions, Generation, GenerationRequest, Policy, PrefixCache } from "./policy.js";
import { PromptSampling } from "./prompt-sampling.js";
import { RoundScheduler } from "./round-scheduler.js";
import { type ResolvedSampleOptions, resolveSampleOptions, type SampleOptions } from "./sample-options.js";
import { type BatchStatistics, batchStatistics, type TreeStatistics, treeStatistics } from "./statistics.js";
import type { IterationRecord, Trajectory } from "./trajectory.js";

/** One prompt's result: its tree with all per-token data, its trajectories and statistics. */
export interface PromptSample {
  readonly promptIndex: number;
  readonly prompt: Int32Array;
  readonly tree: ReasoningTree;
  readonly trajectories: readonly Trajectory[];
  readonly iterations: readonly IterationRecord[];
  readonly score: TreeScore;
  readonly statistics: TreeStatistics;
}

export interface BatchSample {
  readonly sampler: string;
  readonly samples: readonly PromptSample[];
  readonly statistics: BatchStatistics;
}

const FINISH_REASONS = new Set(["eos", "stop", "length"]);

function checkGeneration(generation: Generation | undefined, maxTokens: number, location: string): Generation {
  if (generation === undefined) throw new TreeSamplerError("the policy returned no generation", location);
  const { tokens, logprobs, entropies, finishReason } = generation;
  if (!(tokens instanceof Int32Array) || tokens.length < 1 || tokens.length > maxTokens) {
    throw new TreeSamplerError(`expected 1 to ${maxTokens} tokens in an Int32Array, got ${tokens?.length}`, location);
  }
  if (logprobs.length !== tokens.length || (entropies !== null && entropies.length !== tokens.length)) {
    throw new TreeSamplerError(
      `${tokens.length} tokens but ${logprobs.length} logprobs and ${entropies?.length ?? "no"} entropies`,
      location,
    );
  }
  if (!FINISH_REASONS.has(finishReason)) throw new TreeSamplerError(`unknown finishReason '${finishReason}'`, location);
  return generation;
}

/**
 * Sample a tree for every prompt under one token budget each. Each round asks the sampler for a
 * prompt's forks and cuts the requests to the prompt's remaining budget; the requests of every
 * prompt share `policy.generate` calls (by default a round of every prompt is one call; with
 * `decodeChunk`, prompts start their next round as soon as their own finished), or one running
 * batch of a policy that decodes continuously (`continuousBatching`). Responses are
 * segmented into steps, added to the trees and verified. A prompt's tree is finished when its
 * budget is spent or its sampler plans nothing more.
 *
 * @example
 * // createReferencePolicy and createReferenceTask come from "@ibtpo/tree-sampler/testing"
 * const policy = createReferencePolicy({ seed: 1 });
 * const task = createReferenceTask({ prompts: 4, seed: 1 });
 * const batch = await sampleBatch(task.prompts, policy, {
 *   sampler: ibTreeSampler(),
 *   budget: 512, maxResponseLength: 64, seed: 7, reward: task.reward, answer: task.answer,
 * });
 * batch.statistics.trajectoriesPer1kTokens;
 */
export async function sampleBatch(
  prompts: readonly ArrayLike<number>[],
  policy: Policy,
  options: SampleOptions,
): Promise<BatchSample> {
  const resolved = resolveSampleOptions(options, policy);
  const states = prompts.map((prompt, index) => {
    const tokens = Int32Array.from(prompt);
    if (tokens.some((token, position) => token !== prompt[position] || token < 0)) {
      throw new TreeSamplerError("prompt tokens must be non-negative integers", `prompt ${index}`);
    }
    return new PromptSampling(index, tokens, resolved);
  });
  const prefixCache = options.prefixCache === false ? undefined : policy.openPrefixCache?.();
  try {
    return await sampleRounds(states, policy, resolved, prefixCache, options);
  } finally {
    prefixCache?.dispose();
  }
}

async function sampleRounds(
  states: readonly PromptSampling[],
  policy: Policy,
  resolved: ResolvedSampleOptions,
  prefixCache: PrefixCache | undefined,
  options: SampleOptions,
): Promise<BatchSample> {
  const generateOptions: GenerateOptions = {
    ...(resolved.signal === undefined ? {} : { signal: resolved.signal }),
    ...(prefixCache === undefined ? {} : { prefixCache }),
  };
  const scheduler = new RoundScheduler(states, resolved, policy.resumesDraws === true);
  const generateCalls =
    resolved.continuousBatching === true && policy.decodeContinuously !== undefined
      ? await decodeContinuously(scheduler, policy, resolved, generateOptions)
      : await generateInCalls(scheduler, policy, resolved, generateOptions);
  const samples = states.map((state) => summarize(state, resolved.answer, options));
  return {
    sampler: resolved.sampler.name,
    samples,
    statistics: batchStatistics(
      samples.map((sample) => sample.statistics),
      samples.map((sample) => sample.score),
      generateCalls,
    ),
  };
}

/** One `generate` call per round of every prompt, or per chunk with `decodeChunk`; returns the calls made. */
async function generateInCalls(
  scheduler: RoundScheduler,
  policy: Policy,
  resolved: ResolvedSampleOptions,
  generateOptions: GenerateOptions,
): Promise<number> {
  let generateCalls = 0;
  for (;;) {
    resolved.signal?.throwIfAborted();
    scheduler.startRounds(resolved.decodeChunk);
    const rows = scheduler.generatingRows();
    if (rows.length === 0) return generateCalls;
    const requests = rows.map((row) => row.nextRequest());
    const generations = await policy.generate(requests, generateOptions);
    generateCalls++;
    if (generations.length !== requests.length) {
      throw new TreeSamplerError(
        `${generations.length} generations for ${requests.length} requests`,
        `policy '${policy.name}'`,
      );
    }
    for (const [index, row] of rows.entries()) {
      const request = requests[index] as GenerationRequest;
      const location = `policy '${policy.name}', call ${generateCalls - 1}, request ${index} (prompt ${row.planned.sampling.promptIndex})`;
      row.add(checkGeneration(generations[index], request.settings.maxTokens, location), request.settings.maxTokens);
    }
    await scheduler.finishRounds();
  }
}

/**
 * Every round through the policy's continuous batch: a prompt's next round is planned as soon as
 * its round is verified, and its requests join the batch; returns how many times requests were added.
 */
async function decodeContinuously(
  scheduler: RoundScheduler,
  policy: Policy,
  resolved: ResolvedSampleOptions,
  generateOptions: GenerateOptions,
): Promise<number> {
  const fed: ChunkedRequest[] = [];
  let additions = 0;
  const feed = async (finished: readonly FinishedRequest[]): Promise<GenerationRequest[]> => {
    for (const { request, generation } of finished) {
      const row = fed[request];
      const location = `policy '${policy.name}', continuous request ${request}`;
      if (row === undefined || row.done)
        throw new TreeSamplerError("finished a request that is not in flight", location);
      const { maxTokens } = row.planned.request.settings;
      row.add(checkGeneration(generation, maxTokens, location), maxTokens);
    }
    await scheduler.finishRounds();
    resolved.signal?.throwIfAborted();
    const rows = scheduler.startRounds(Number.POSITIVE_INFINITY);
    if (rows.length > 0) additions++;
    fed.push(...rows);
    return rows.map((row) => row.nextRequest());
  };
  await policy.decodeContinuously?.(feed, generateOptions);
  const unfinished = scheduler.generatingRows().length;
  if (unfinished > 0) {
    throw new TreeSamplerError(`returned with ${unfinished} requests unfinished`, `policy '${policy.name}'`);
  }
  return additions;
}

function summarize(
  state: PromptSampling,
  answer: NonNullable<SampleOptions["answer"]>,
  options: SampleOptions,
): PromptSample {
  const score = scoreTree(state.tree, options.ibScore);
  const answers = state.trajectories
    .filter((trajectory) => !trajectory.truncated)
    .map((trajectory) => answer(state.promptIndex, trajectory.tokens, state.tree.tokens(trajectory.leaf)));
  return {
    promptIndex: state.promptIndex,
    prompt: state.prompt,
    tree: state.tree,
    trajectories: state.trajectories,
    iterations: state.iterations,
    score,
    statistics: treeStatistics(state.tree, state.trajectories, answers, state.generatedTokens, score),
  };
}

/**
 * {@link sampleBatch} for a single prompt.
 *
 * @example
 * const sample = await samplePrompt([2, 3, 1], policy, options);
 * sample.trajectories.length;
 */
export async function samplePrompt(
  prompt: ArrayLike<number>,
  policy: Policy,
  options: SampleOptions,
): Promise<PromptSample> {
  const batch = await sampleBatch([prompt], policy, options);
  return batch.samples[0] as PromptSample;
}
