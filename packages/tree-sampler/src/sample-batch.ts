import { type ReasoningTree, scoreTree, type TreeScore } from "@ibtpo/ib-score";
import { TreeSamplerError } from "./errors.js";
import type { Generation, Policy } from "./policy.js";
import { type PlannedRequest, PromptSampling } from "./prompt-sampling.js";
import { resolveSampleOptions, type SampleOptions } from "./sample-options.js";
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

function checkGeneration(generation: Generation | undefined, planned: PlannedRequest, location: string): Generation {
  if (generation === undefined) throw new TreeSamplerError("the policy returned no generation", location);
  const { tokens, logprobs, entropies, finishReason } = generation;
  const { maxTokens } = planned.request.settings;
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
 * Sample a tree for every prompt under one token budget each. Each iteration asks the sampler
 * for every unfinished prompt's forks, cuts the requests to each prompt's remaining budget, and
 * issues one `policy.generate` call for all of them; responses are segmented into steps, added
 * to the trees and verified. A prompt's tree is finished when its budget is spent or its sampler
 * plans nothing more.
 *
 * @example
 * const policy = createReferencePolicy({ seed: 1 });
 * const task = createReferenceTask({ prompts: 4, seed: 1 });
 * const batch = await sampleBatch(task.prompts, policy, {
 *   sampler: ibTreeSampler({ iterations: 16, nodesPerIteration: 2, branches: 2 }),
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
  let generateCalls = 0;
  for (let iteration = 0; ; iteration++) {
    resolved.signal?.throwIfAborted();
    const plans = states.filter((state) => !state.done).map((state) => ({ state, ...state.plan(iteration) }));
    const planned = plans.flatMap((plan) => plan.requests);
    if (planned.length === 0) break;
    resolved.onIteration?.({
      iteration,
      prompts: plans
        .filter((plan) => plan.requests.length > 0)
        .map(({ state, forks }) => ({ promptIndex: state.promptIndex, tree: state.tree, forks })),
    });
    const generations = await policy.generate(
      planned.map((plan) => plan.request),
      resolved.signal === undefined ? {} : { signal: resolved.signal },
    );
    generateCalls++;
    if (generations.length !== planned.length) {
      throw new TreeSamplerError(
        `${generations.length} generations for ${planned.length} requests`,
        `policy '${policy.name}'`,
      );
    }
    const grown = planned.map((plan, index) => {
      const location = `policy '${policy.name}', iteration ${iteration}, request ${index} (prompt ${plan.sampling.promptIndex})`;
      return plan.sampling.grow(plan, checkGeneration(generations[index], plan, location), iteration);
    });
    const rewards = await Promise.all(grown.map((response, index) => planned[index]?.sampling.reward(response)));
    for (const [index, response] of grown.entries())
      planned[index]?.sampling.record(response, rewards[index] as number);
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
