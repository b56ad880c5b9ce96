import type { Problem, StepMetrics } from "@ibtpo/bench-harness";
import type { ReasoningTree } from "@ibtpo/ib-score";
import { seedStreams } from "@ibtpo/random";
import { type TrainingBatch, trainingBatchFromTrees, zeroVarianceFilterTrees } from "@ibtpo/tpo-loss";
import { type BatchSample, meanTreeEntropy, type Policy, type SamplerKind, sampleBatch } from "@ibtpo/tree-sampler";
import { promptTokens, stepProblems } from "../runtime/task-setup.js";
import { type PolicyUpdate, updatePolicy } from "./policy-update.js";
import type { RlContext } from "./rl-context.js";

const seconds = (start: number) => (performance.now() - start) / 1000;

/** The sampled and scored half of an RL step, before the gradient step. */
export interface StepSample {
  /** The step's problems; a sample's `promptIndex` indexes them. */
  readonly problems: readonly Problem[];
  readonly batch: BatchSample;
  /** The trees trained on: all of them, or those with reward variance under dynamic sampling. */
  readonly trained: readonly ReasoningTree[];
  readonly trainingBatch: TrainingBatch;
  readonly samplingSeconds: number;
  readonly scoringSeconds: number;
}

/**
 * Sample trees for this step's prompts under the token budget, verify them and compute the
 * algorithm's advantages. Problems and seeds derive from (run seed, step), so a resumed run
 * repeats the same step. A different `samplingSeed` stream draws other responses to the same problems.
 */
/**
 * How a step's requests reach a policy that resumes draws and decodes continuously (policy-tfjs,
 * where the trees are the same in every scheme, so this changes speed only). Chains: one call per
 * round, every prompt's group in one batch, where nothing waits on another prompt. Tree samplers:
 * the policy's running batch, where a prompt's next round joins as soon as its last one ends
 * instead of waiting for the slowest prompt (IBTree's one-continuation rounds especially). Each is
 * the faster scheme for its sampler in the sampler bench (trainer README, "Sampling schemes").
 */
export function samplingScheme(kind: SamplerKind, policy: Policy): { continuousBatching?: true } {
  const continuous = policy.resumesDraws === true && policy.decodeContinuously !== undefined;
  return kind !== "chains" && continuous ? { continuousBatching: true } : {};
}

export async function sampleStep(
  context: RlContext,
  step: number,
  samplingSeed: (runSeed: number, step: number) => number = seedStreams.rlStepSampling,
): Promise<StepSample> {
  const { config, task, tokenizer, preset } = context;
  const started = performance.now();
  const problems = stepProblems(task, config.seed, step, config.promptsPerStep);
  const prompts = problems.map((problem) => promptTokens(tokenizer, problem));
  const longestPrompt = Math.max(...prompts.map((prompt) => prompt.length));
  const verdict = (index: number, tokens: Int32Array) => task.verify(problems[index]!, tokenizer.decode(tokens));
  const batch = await sampleBatch(prompts, context.policy, {
    sampler: context.sampler,
    budget: config.budget,
    maxResponseLength: Math.min(context.maxResponseLength, context.contextLength - longestPrompt),
    ...(config.sampler.maxDepth === undefined ? {} : { maxDepth: config.sampler.maxDepth }),
    budgetCut: config.sampler.budgetCut ?? "drop",
    sampling: config.sampling,
    seed: samplingSeed(config.seed, step),
    reward: (index, tokens) => verdict(index, tokens).reward,
    answer: (index, tokens) => verdict(index, tokens).answer,
    ...samplingScheme(context.samplerKind, context.policy),
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  });
  const samplingSeconds = seconds(started);

  const scoringStarted = performance.now();
  const trees = batch.samples.map((sample) => sample.tree);
  const trained = preset.dropZeroVarianceGroups
    ? Array.from(zeroVarianceFilterTrees(trees).keptGroups, (index) => trees[index]!)
    : trees;
  const trainingBatch = trainingBatchFromTrees(trained, context.estimator, {
    tokenWeighting: preset.tokenWeighting,
    maskTruncated: preset.maskTruncated,
  });
  return { problems, batch, trained, trainingBatch, samplingSeconds, scoringSeconds: seconds(scoringStarted) };
}

/** The diagnostics of METHOD.md section 7 for one step. */
function stepMetrics(
  step: number,
  sample: StepSample,
  result: PolicyUpdate | null,
  updateSeconds: number,
  currentLearningRate: number,
): StepMetrics {
  const { statistics } = sample.batch;
  const update = result?.update ?? null;
  const diagnostics = result?.diagnostics ?? null;
  return {
    step,
    generatedTokens: statistics.generatedTokens,
    accuracy: statistics.meanReward,
    avgRate: statistics.ibScore.avgRate,
    effRate: statistics.effRate,
    entropy: meanTreeEntropy(sample.batch.samples.map((prompt) => prompt.tree)),
    // ib-score's batch summary: J of the paper form with Cov and confidence, and the Shannon parts.
    ibScore: statistics.ibScore.ibScore,
    ibCov: statistics.ibScore.cov,
    ibConfidence: statistics.ibScore.confidence,
    ibH: statistics.ibScore.H,
    ibI: statistics.ibScore.I,
    trajectories: statistics.trajectories,
    trajectoriesPer1kTokens: statistics.trajectoriesPer1kTokens,
    loss: update?.loss ?? null,
    clipFraction: diagnostics?.clipFraction ?? null,
    clipFractionHigh: diagnostics?.clipFractionHigh ?? null,
    clipFractionLow: diagnostics?.clipFractionLow ?? null,
    kl: diagnostics === null ? null : (diagnostics.terms.kl ?? diagnostics.approxKl),
    gradNorm: update?.gradientNorm ?? null,
    learningRate: update?.learningRate ?? currentLearningRate,
    samplingSeconds: sample.samplingSeconds,
    scoringSeconds: sample.scoringSeconds,
    updateSeconds,
    trainedTokens: sample.trainingBatch.trainedTokens,
    trainedTrees: sample.trained.length,
    truncated: statistics.truncatedTrajectories,
    distinctAnswers: statistics.meanDistinctAnswers,
    tokensPerSecond: statistics.generatedTokens / Math.max(sample.samplingSeconds, 1e-9),
  };
}

/**
 * One RL step: {@link sampleStep}, then the policy update on the clipped loss (see
 * {@link updatePolicy}); a step with no trained token (every tree filtered out) skips the update.
 * `onSample` receives the sampled trees (to save them) before the update.
 */
export async function rlStep(
  context: RlContext,
  step: number,
  onSample?: (sample: StepSample) => Promise<void>,
): Promise<StepMetrics> {
  const sample = await sampleStep(context, step);
  await onSample?.(sample);
  const updateStarted = performance.now();
  const result =
    sample.trainingBatch.trainedTokens > 0 ? await updatePolicy(context.update, sample.trainingBatch) : null;
  const updateSeconds = seconds(updateStarted);
  return stepMetrics(step, sample, result, updateSeconds, context.update.optimizer.currentLearningRate());
}
