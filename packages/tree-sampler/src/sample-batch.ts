import { type ReasoningTree, scoreTree, type TreeScore } from "@ibtpo/ib-score";
import { ChunkedRequest } from "./chunked-request.js";
import { TreeSamplerError } from "./errors.js";
import type { ForkRequest } from "./fork-point.js";
import type { GenerateOptions, Generation, GenerationRequest, Policy, PrefixCache } from "./policy.js";
import { PromptSampling } from "./prompt-sampling.js";
import {
  type IterationListener,
  type ResolvedSampleOptions,
  resolveSampleOptions,
  type SampleOptions,
} from "./sample-options.js";
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

/** One prompt's round in flight: its requests, generated chunk by chunk. */
interface Round {
  readonly iteration: number;
  readonly rows: readonly ChunkedRequest[];
}

/** Tell the listener about the rounds that start before this call, once per iteration number. */
function announce(
  listener: IterationListener | undefined,
  started: readonly { state: PromptSampling; iteration: number; forks: readonly ForkRequest[] }[],
): void {
  if (listener === undefined) return;
  for (const iteration of new Set(started.map((round) => round.iteration))) {
    listener({
      iteration,
      prompts: started
        .filter((round) => round.iteration === iteration)
        .map(({ state, forks }) => ({ promptIndex: state.promptIndex, tree: state.tree, forks })),
    });
  }
}

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
 * `decodeChunk`, prompts start their next round as soon as their own finished). Responses are
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
  const chunk = resolved.decodeChunk;
  const generateOptions: GenerateOptions = {
    ...(resolved.signal === undefined ? {} : { signal: resolved.signal }),
    ...(prefixCache === undefined ? {} : { prefixCache }),
  };
  let generateCalls = 0;
  const nextIteration = states.map(() => 0);
  const rounds: (Round | null)[] = states.map(() => null);
  for (;;) {
    resolved.signal?.throwIfAborted();
    const started: { state: PromptSampling; iteration: number; forks: readonly ForkRequest[] }[] = [];
    for (const [index, state] of states.entries()) {
      if (state.done || rounds[index] !== null) continue;
      const iteration = nextIteration[index] as number;
      nextIteration[index] = iteration + 1;
      const { forks, requests } = state.plan(iteration);
      if (requests.length === 0) continue;
      rounds[index] = {
        iteration,
        rows: requests.map((planned) => new ChunkedRequest(planned, chunk, policy.resumesDraws === true)),
      };
      started.push({ state, iteration, forks });
    }
    announce(resolved.onIteration, started);
    const rows = rounds.flatMap((round) => round?.rows.filter((row) => !row.done) ?? []);
    if (rows.length === 0) break;
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
    await Promise.all(
      rounds.map(async (round, index) => {
        if (round === null || round.rows.some((row) => !row.done)) return;
        rounds[index] = null;
        const state = states[index] as PromptSampling;
        const grown = round.rows.map((row) => state.grow(row.planned, row.generation(), round.iteration));
        const rewards = await Promise.all(grown.map((response) => state.reward(response)));
        for (const [row, response] of grown.entries()) state.record(response, rewards[row] as number);
      }),
    );
  }
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
