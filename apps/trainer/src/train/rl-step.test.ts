import { fileURLToPath } from "node:url";
import type { Task } from "@ibtpo/bench-harness";
import { scoreTree, summarizeBatch } from "@ibtpo/ib-score";
import { loadCheckpoint, selectBackend, type TfjsPolicy } from "@ibtpo/policy-tfjs";
import { type MicroBatchGrouping, reachProbabilities, type TrainingBatch } from "@ibtpo/tpo-loss";
import type { Policy } from "@ibtpo/tree-sampler";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { type TrainConfig, trainConfigSchema } from "../config/train-config.js";
import { resolveCheckpoint } from "../runtime/resolve-checkpoint.js";
import { createTask, promptTokens, stepProblems } from "../runtime/task-setup.js";
import { loss } from "./policy-loss-module.js";
import { microBatchCost, policyLossMicroBatches, updatePolicy } from "./policy-update.js";
import { resolveAlgorithm } from "./resolve-algorithm.js";
import { buildRlContext, disposeRlContext, type RlContext } from "./rl-context.js";
import { rlStep, sampleStep, samplingScheme } from "./rl-step.js";

/** The shipped sort-swaps base: small (about 0.1M weights) and it ends its responses on its own. */
const base = fileURLToPath(new URL("../../../../checkpoints/sort-swaps-base", import.meta.url));

/**
 * sort-swaps with a reward that splits distinct responses about evenly (the parity of their
 * character codes), so groups have rewards to tell apart whatever the base has learnt.
 */
function rewardedBy(task: Task, reward: (response: string) => number): Task {
  return { ...task, verify: (_problem, response) => ({ reward: reward(response), answer: null, wellFormed: true }) };
}
const parity = (response: string) => [...response].reduce((sum, symbol) => sum + symbol.charCodeAt(0), 0) % 2;

let task: Task;

beforeAll(async () => {
  await selectBackend({ backend: "wasm", log: () => {} });
  task = createTask("sort-swaps", (await resolveCheckpoint(base)).taskOptions);
});

async function contextFor(
  settings: Record<string, unknown>,
  reward: (response: string) => number = parity,
): Promise<RlContext> {
  const config: TrainConfig = trainConfigSchema.parse({
    task: "sort-swaps",
    init: base,
    seed: 4,
    promptsPerStep: 3,
    budget: 128,
    ...settings,
  });
  const loaded = await loadCheckpoint(base);
  return buildRlContext(config, resolveAlgorithm(config), rewardedBy(task, reward), loaded, { resume: false });
}

const timings = new Set(["samplingSeconds", "scoringSeconds", "updateSeconds", "tokensPerSecond"]);
const withoutTimings = (metrics: object) => Object.entries(metrics).filter(([key]) => !timings.has(key));

describe("sampleStep", () => {
  it("gives each GRPO row the advantage of its own response's reward within its prompt's group", async () => {
    const context = await contextFor({ algorithm: "grpo" });
    const { batch, trainingBatch } = await sampleStep(context, 1);
    const problems = stepProblems(task, 4, 1, 3);
    const rowsOf = (group: number) => trainingBatch.sequences.filter((row) => row.groupIndex === group);
    let varied = 0;
    for (const [group, problem] of problems.entries()) {
      const rows = rowsOf(group);
      // Identical responses share a row that stands for all of them.
      const drawn = rows.reduce((sum, row) => sum + row.trajectories, 0);
      expect(drawn).toBe(batch.samples[group]!.trajectories.length);
      const rewards = rows.map((row) => {
        expect(Array.from(row.promptTokens)).toEqual(Array.from(promptTokens(context.tokenizer, problem)));
        return context.task.verify(problem, context.tokenizer.decode(row.tokens)).reward;
      });
      expect(rows.map((row) => row.reward)).toEqual(rewards);
      const sumOver = (value: (reward: number) => number) =>
        rows.reduce((sum, row, index) => sum + row.trajectories * value(rewards[index]!), 0);
      const mean = sumOver((reward) => reward) / drawn;
      const variance = sumOver((reward) => (reward - mean) ** 2) / (drawn - 1);
      if (variance > 0) varied++;
      rows.forEach((row, index) => {
        const expected = variance > 0 ? (rewards[index]! - mean) / (Math.sqrt(variance) + 1e-4) : 0;
        for (const advantage of row.advantages) expect(advantage).toBeCloseTo(expected, 6);
      });
    }
    expect(varied).toBeGreaterThan(0);
    disposeRlContext(context);
  });

  it("trains every IB-tree token exactly once with dedup weights, on the tree it came from", async () => {
    const context = await contextFor({ algorithm: "ib-tpo", tokenWeighting: "dedup" });
    const { batch, trainingBatch } = await sampleStep(context, 2);
    batch.samples.forEach((sample, group) => {
      const { tree } = sample;
      let treeTokens = 0;
      for (let node = 1; node < tree.size; node++) treeTokens += tree.tokenCount(node);
      const rows = trainingBatch.sequences.filter((row) => row.groupIndex === group);
      const trained = rows.reduce((sum, row) => sum + row.trainWeights.reduce((a, b) => a + b, 0), 0);
      expect(trained).toBe(treeTokens);
      for (const row of rows) expect(Array.from(row.promptTokens)).toEqual(Array.from(sample.prompt));
    });
    disposeRlContext(context);
  });

  it("weighs each IB-tree step by traj(root) times its reach probability with reach-probability weights", async () => {
    const context = await contextFor({ algorithm: "ib-tpo", tokenWeighting: "reach-probability" });
    const { batch, trainingBatch } = await sampleStep(context, 2);
    let branchedAbove = 0;
    batch.samples.forEach((sample, group) => {
      const { tree } = sample;
      const reach = reachProbabilities(tree);
      const weightOf = new Float64Array(tree.size);
      for (const row of trainingBatch.sequences.filter((sequence) => sequence.groupIndex === group)) {
        row.tokenNodes.forEach((node, index) => {
          weightOf[node] = weightOf[node]! + row.trainWeights[index]!;
        });
      }
      for (let node = 1; node < tree.size; node++) {
        if (tree.trajectoryCount(node) === 0) continue;
        expect(weightOf[node]! / tree.tokenCount(node)).toBeCloseTo(tree.trajectories * reach[node]!, 9);
        if (tree.trajectories * reach[node]! < tree.trajectoryCount(node) - 1e-9) branchedAbove++;
      }
    });
    // The IB-tree branched somewhere, so some prefix weighs less than its trajectory count.
    expect(branchedAbove).toBeGreaterThan(0);
    disposeRlContext(context);
  });
});

describe("samplingScheme", () => {
  it("sends chains in one call per round and tree samplers to the policy's continuous batch, where it has one", async () => {
    for (const algorithm of ["grpo", "ib-tpo"] as const) {
      const context = await contextFor({ algorithm });
      const policy = context.policy as TfjsPolicy;
      const continuous = vi.spyOn(policy, "decodeContinuously");
      const generate = vi.spyOn(policy, "generate");
      await sampleStep(context, 1);
      expect(continuous.mock.calls.length > 0, algorithm).toBe(algorithm === "ib-tpo");
      expect(generate.mock.calls.length > 0, algorithm).toBe(algorithm === "grpo");
      disposeRlContext(context);
    }
    // A policy that cannot resume draws (an HTTP server) or has no running batch gets one call per round.
    const stub = (traits: Partial<Policy>): Policy => ({
      name: "stub",
      eosToken: 0,
      providesEntropies: false,
      generate: async () => [],
      ...traits,
    });
    const decodeContinuously = async () => {};
    expect(samplingScheme("ib-tree", stub({ resumesDraws: true }))).toEqual({});
    expect(samplingScheme("entropy-tree", stub({ resumesDraws: false, decodeContinuously }))).toEqual({});
    expect(samplingScheme("random-tree", stub({ resumesDraws: true, decodeContinuously }))).toEqual({
      continuousBatching: true,
    });
  });
});

describe("rlStep", () => {
  it("logs ib-score's batch summary of the step's trees: J, Cov, confidence and Avg-Rate", async () => {
    const context = await contextFor({ algorithm: "ib-tpo" });
    const sample = await sampleStep(context, 6);
    const expected = summarizeBatch(sample.batch.samples.map((prompt) => scoreTree(prompt.tree)));
    expect(expected.estimator).toBe("paper");
    expect(expected.ibScore).toEqual(expect.any(Number));
    expect(expected.confidence).toBeGreaterThan(0);
    const metrics = await rlStep(context, 6);
    expect(metrics).toMatchObject({
      ibScore: expected.ibScore,
      ibCov: expected.cov,
      ibConfidence: expected.confidence,
      avgRate: expected.avgRate,
      effRate: expected.effRate,
    });
    expect(metrics.avgRate).toBeCloseTo(metrics.accuracy, 12);
    disposeRlContext(context);
  });

  it("stays within the token budget of every prompt and counts what it generated", async () => {
    const context = await contextFor({ algorithm: "grpo", optimizer: { microBatchSize: 4 } });
    const sample = await sampleStep(context, 3);
    let generated = 0;
    for (const prompt of sample.batch.samples) {
      const spent = prompt.trajectories.reduce((sum, trajectory) => sum + trajectory.generatedTokens, 0);
      expect(prompt.statistics.generatedTokens).toBe(spent);
      expect(spent).toBeLessThanOrEqual(128);
      // budgetCut 'drop': no response was cut short by the budget.
      expect(prompt.trajectories.every((trajectory) => trajectory.truncation !== "budget")).toBe(true);
      generated += spent;
    }
    const metrics = await rlStep(context, 3);
    expect(metrics.generatedTokens).toBe(generated);
    expect(metrics.trajectories).toBe(
      sample.batch.samples.reduce((sum, prompt) => sum + prompt.trajectories.length, 0),
    );
    disposeRlContext(context);
  });

  it("takes epochs x miniBatches optimizer steps, and clips only once the policy has moved", async () => {
    const stepOf = async (optimizer: Record<string, number>) => {
      const context = await contextFor({ algorithm: "grpo", optimizer: { learningRate: 0.01, ...optimizer } });
      const metrics = await rlStep(context, 1);
      const steps = context.update.optimizer.step;
      // A second step holds no more tensors than the first left: nothing leaks per step.
      const tensorsBefore = tf.memory().numTensors;
      await rlStep(context, 2);
      const tensorsAfter = tf.memory().numTensors;
      disposeRlContext(context);
      return { metrics, steps, tensorsBefore, tensorsAfter };
    };
    const onPolicy = await stepOf({ epochs: 1, miniBatches: 1 });
    expect(onPolicy.steps).toBe(1);
    expect(onPolicy.metrics).toMatchObject({ clipFraction: 0, clipFractionHigh: 0, clipFractionLow: 0 });
    // Three prompts in three mini-batches, twice: the last pass trains a policy five steps away.
    const offPolicy = await stepOf({ epochs: 2, miniBatches: 3 });
    expect(offPolicy.steps).toBe(6);
    expect(offPolicy.tensorsAfter).toBe(offPolicy.tensorsBefore);
    // The preset's KL term reads the frozen reference, whose log-probs are kept across epochs.
    expect(offPolicy.metrics.kl).toBeGreaterThan(0);
    const { clipFraction, clipFractionHigh, clipFractionLow } = offPolicy.metrics as Record<string, number>;
    expect(clipFraction).toBeGreaterThan(0);
    expect(clipFractionHigh! + clipFractionLow!).toBeCloseTo(clipFraction!, 6);
  });

  it("repeats a step exactly from the same checkpoint and seed, weights included", async () => {
    const runs = [];
    for (let run = 0; run < 2; run++) {
      const context = await contextFor({ algorithm: "ib-tpo" });
      const metrics = await rlStep(context, 5);
      runs.push({ metrics: withoutTimings(metrics), weights: context.update.model.exportWeights() });
      disposeRlContext(context);
    }
    expect(runs[1]!.metrics).toEqual(runs[0]!.metrics);
    expect(runs[0]!.metrics.find(([key]) => key === "loss")?.[1]).toEqual(expect.any(Number));
    expect(runs[1]!.weights).toEqual(runs[0]!.weights);
  });

  it("moves the weights when there is something to learn and leaves them when every tree is filtered out", async () => {
    const before = (await loadCheckpoint(base)).model.exportWeights();
    const changed = (context: RlContext) =>
      context.update.model
        .exportWeights()
        .some((weight, index) => weight.data.some((v, i) => v !== before[index]!.data[i]));
    const learning = await contextFor({ algorithm: "dapo" });
    const learned = await rlStep(learning, 1);
    expect(learned.trainedTrees).toBeGreaterThan(0);
    expect(changed(learning)).toBe(true);
    disposeRlContext(learning);
    // DAPO drops trees whose rewards are all equal: with no reward at all, nothing is trained.
    const idle = await contextFor({ algorithm: "dapo" }, () => 0);
    const skipped = await rlStep(idle, 1);
    expect(skipped).toMatchObject({ trainedTrees: 0, trainedTokens: 0, loss: null, gradNorm: null });
    expect(changed(idle)).toBe(false);
    disposeRlContext(idle);
  });
});

describe("updatePolicy's micro-batches", () => {
  /** The rows' forward cells (widest prompt + longest response, per micro-batch). */
  const cellsOf = (microBatches: Awaited<ReturnType<typeof policyLossMicroBatches>>["microBatches"]) =>
    microBatches.reduce((sum, micro) => sum + microBatchCost(micro), 0);

  /** The weighted loss and gradient (float64 sums of float32 parts) of one step on `batch`, and its cells. */
  async function stepGradient(context: RlContext, batch: TrainingBatch, grouping: MicroBatchGrouping) {
    const { microBatches, weights } = await policyLossMicroBatches(
      { ...context.update, microBatchGrouping: grouping },
      batch,
    );
    const variables = context.update.model.variables();
    const gradient = new Float64Array(variables.reduce((sum, variable) => sum + variable.size, 0));
    let total = 0;
    microBatches.forEach((micro, index) => {
      const weight = weights[index]!;
      const { value, grads } = tf.variableGrads(() => loss(context.update.model, micro).loss, variables);
      total += weight * value.dataSync()[0]!;
      let offset = 0;
      for (const variable of variables) {
        const part = grads[variable.name]?.dataSync() ?? new Float32Array(variable.size);
        for (let at = 0; at < part.length; at++) gradient[offset + at]! += weight * part[at]!;
        offset += variable.size;
      }
      tf.dispose([value, grads]);
    });
    return { loss: total, gradient, count: microBatches.length, cells: cellsOf(microBatches) };
  }

  it("grouped by length, gives the loss and gradient of batch order on fewer padded cells", async () => {
    const context = await contextFor({
      algorithm: "grpo",
      promptsPerStep: 6,
      optimizer: { microBatchSize: 8, learningRate: 0.01 },
    });
    const { trainingBatch } = await sampleStep(context, 1);
    // One update first: at the sampling policy the ratio is 1 and GRPO's loss is about 0.
    await updatePolicy(context.update, trainingBatch);
    const lengths = new Set(trainingBatch.sequences.map((row) => row.tokens.length));
    expect(lengths.size).toBeGreaterThan(1);
    const ordered = await stepGradient(context, trainingBatch, "batch-order");
    const grouped = await stepGradient(context, trainingBatch, "similar-length");
    expect(ordered.count).toBeGreaterThan(2);
    expect(grouped.count).toBe(ordered.count);
    expect(grouped.cells).toBeLessThan(ordered.cells);
    expect(Math.abs(ordered.loss)).toBeGreaterThan(1e-3);
    expect(Math.abs(grouped.loss - ordered.loss)).toBeLessThan(1e-5 * Math.abs(ordered.loss));
    const largest = ordered.gradient.reduce((most, value) => Math.max(most, Math.abs(value)), 0);
    expect(largest).toBeGreaterThan(0);
    let difference = 0;
    ordered.gradient.forEach((value, index) => {
      difference = Math.max(difference, Math.abs(value - grouped.gradient[index]!));
    });
    // float32 rounding of differently shaped sums: far below the gradient's own size.
    expect(difference).toBeLessThan(1e-5 * largest);
    disposeRlContext(context);
  });

  it("gives the same weights either way when a step is one micro-batch, and with a worker thread", async () => {
    const sampler = await contextFor({ algorithm: "grpo", promptsPerStep: 6 });
    const { trainingBatch } = await sampleStep(sampler, 1);
    disposeRlContext(sampler);
    const weightsAfter = async (
      settings: { microBatchSize: number; workers: number },
      grouping: MicroBatchGrouping,
    ) => {
      const config = trainConfigSchema.parse({
        task: "sort-swaps",
        init: base,
        seed: 4,
        promptsPerStep: 6,
        budget: 128,
        algorithm: "grpo",
        optimizer: { microBatchSize: settings.microBatchSize },
      });
      const context = await buildRlContext(config, resolveAlgorithm(config), task, await loadCheckpoint(base), {
        resume: false,
        workers: settings.workers,
      });
      const result = await updatePolicy({ ...context.update, microBatchGrouping: grouping }, trainingBatch);
      const weights = context.update.model.exportWeights();
      disposeRlContext(context);
      return { loss: result.update.loss, weights };
    };
    const rows = trainingBatch.sequences.length;
    const whole = await weightsAfter({ microBatchSize: rows, workers: 0 }, "similar-length");
    expect(await weightsAfter({ microBatchSize: rows, workers: 0 }, "batch-order")).toEqual(whole);
    // Several micro-batches of similar length shared with a worker: as on one thread.
    const alone = await weightsAfter({ microBatchSize: 4, workers: 0 }, "similar-length");
    expect(await weightsAfter({ microBatchSize: 4, workers: 1 }, "similar-length")).toEqual(alone);
    expect(alone.weights).not.toEqual(whole.weights);
  });
});
