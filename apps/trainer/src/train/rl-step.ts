import type { StepMetrics, Task } from "@ibtpo/bench-harness";
import type { PolicyOptimizer, SymbolTokenizer, TfjsPolicy, TransformerModel } from "@ibtpo/policy-tfjs";
import { seedStreams } from "@ibtpo/random";
import { type AdvantageEstimator, type TrainingPreset, trainingBatchFromTrees } from "@ibtpo/tpo-loss";
import { meanTreeEntropy, type Sampler, sampleBatch } from "@ibtpo/tree-sampler";
import type { TrainConfig } from "../config/train-config.js";
import { promptTokens, stepProblems } from "../runtime/task-setup.js";
import { updatePolicy } from "./policy-update.js";

/** Everything one RL step needs; built once per run. */
export interface RlContext {
  readonly config: TrainConfig;
  readonly task: Task;
  readonly tokenizer: SymbolTokenizer;
  readonly model: TransformerModel;
  /** The frozen initial policy, for the KL term; null when the KL coefficient is 0. */
  readonly reference: TransformerModel | null;
  readonly policy: TfjsPolicy;
  readonly optimizer: PolicyOptimizer;
  readonly preset: TrainingPreset;
  readonly sampler: Sampler;
  readonly estimator: AdvantageEstimator;
  readonly maxResponseLength: number;
  readonly signal?: AbortSignal;
}

const seconds = (start: number) => (performance.now() - start) / 1000;

/**
 * One RL step: sample trees for this step's prompts under the token budget, verify, compute the
 * algorithm's advantages, and update the policy on the clipped loss (see {@link updatePolicy}).
 * Problems and seeds derive from (run seed, step), so a resumed run repeats the same step.
 */
export async function rlStep(context: RlContext, step: number): Promise<StepMetrics> {
  const { config, task, tokenizer, model, preset } = context;
  const started = performance.now();
  const problems = stepProblems(task, config.seed, step, config.promptsPerStep);
  const prompts = problems.map((problem) => promptTokens(tokenizer, problem));
  const longestPrompt = Math.max(...prompts.map((prompt) => prompt.length));
  const verdict = (index: number, tokens: Int32Array) => task.verify(problems[index]!, tokenizer.decode(tokens));
  const batch = await sampleBatch(prompts, context.policy, {
    sampler: context.sampler,
    budget: config.budget,
    maxResponseLength: Math.min(context.maxResponseLength, model.config.contextLength - longestPrompt),
    ...(config.sampler.maxDepth === undefined ? {} : { maxDepth: config.sampler.maxDepth }),
    budgetCut: config.sampler.budgetCut ?? "drop",
    sampling: config.sampling,
    seed: seedStreams.rlStepSampling(config.seed, step),
    reward: (index, tokens) => verdict(index, tokens).reward,
    answer: (index, tokens) => verdict(index, tokens).answer,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  });
  const samplingSeconds = seconds(started);

  const scoringStarted = performance.now();
  const trees = batch.samples.map((sample) => sample.tree);
  const trained = preset.dynamicSampling ? trees.filter((tree) => tree.hasRewardVariance) : trees;
  const trainingBatch = trainingBatchFromTrees(trained, context.estimator, { tokenWeighting: preset.tokenWeighting });
  const scoringSeconds = seconds(scoringStarted);

  const updateStarted = performance.now();
  const { update, diagnostics } =
    trainingBatch.trainedTokens > 0 ? await updatePolicy(context, trainingBatch) : { update: null, diagnostics: null };
  const updateSeconds = seconds(updateStarted);

  const statistics = batch.statistics;
  return {
    step,
    generatedTokens: statistics.generatedTokens,
    accuracy: statistics.meanReward,
    effRate: statistics.effRate,
    entropy: meanTreeEntropy(trees),
    ibScore: statistics.ibScore.ibScore,
    ibH: statistics.ibScore.H,
    ibI: statistics.ibScore.I,
    trajectories: statistics.trajectories,
    trajectoriesPer1kTokens: statistics.trajectoriesPer1kTokens,
    loss: update?.loss ?? null,
    clipFraction: diagnostics?.clipFraction ?? null,
    kl: diagnostics === null ? null : (diagnostics.terms.kl ?? diagnostics.approxKl),
    gradNorm: update?.gradientNorm ?? null,
    learningRate: update?.learningRate ?? context.optimizer.currentLearningRate(),
    samplingSeconds,
    scoringSeconds,
    updateSeconds,
    trainedTokens: trainingBatch.trainedTokens,
    trainedTrees: trained.length,
    truncated: statistics.truncatedTrajectories,
    distinctAnswers: statistics.meanDistinctAnswers,
    tokensPerSecond: statistics.generatedTokens / Math.max(samplingSeconds, 1e-9),
  };
}
