import { join } from "node:path";
import { type EvaluationSummary, sampleProblems } from "@ibtpo/bench-harness";
import {
  countParameters,
  PolicyOptimizer,
  SymbolTokenizer,
  saveCheckpoint,
  selectBackend,
  sftLoss,
  splitIntoMicroBatches,
  TransformerModel,
} from "@ibtpo/policy-tfjs";
import { Mulberry32, seedStreams } from "@ibtpo/random";
import type { PretrainConfig } from "../config/pretrain-config.js";
import { writeJsonAtomic } from "../runtime/atomic-file.js";
import { evaluateModel, greedyPassAt1 } from "../runtime/evaluate-checkpoint.js";
import { Progress, shown } from "../runtime/progress.js";
import { createTask, defaultContextLength, stepProblems } from "../runtime/task-setup.js";
import { sftRows } from "./sft-rows.js";

const MICRO_BATCH_ROWS = 32;

export interface PretrainResult {
  readonly checkpoint: string;
  readonly parameters: number;
  readonly validation: EvaluationSummary;
}

/**
 * SFT warm-up: trains a fresh transformer on random legal trajectories of a task (a `solverShare` of
 * them replaced by its reference solutions), then evaluates
 * it on the validation split and saves a checkpoint (the base policy for RL).
 */
export async function pretrain(
  config: PretrainConfig,
  out: string,
  log: (line: string) => void,
): Promise<PretrainResult> {
  await selectBackend({ backend: config.backend, log });
  const task = createTask(config.task, config.taskOptions);
  const tokenizer = SymbolTokenizer.fromSymbols(task.vocabulary);
  const contextLength = config.model.contextLength ?? defaultContextLength(task, config.seed);
  const model = TransformerModel.create(
    { ...config.model, vocabSize: tokenizer.vocabSize, contextLength },
    { seed: config.seed },
  );
  const parameters = countParameters(model.config);
  log(
    `model: ${parameters.toLocaleString("en-US")} parameters, context ${contextLength}, vocabulary ${tokenizer.vocabSize}`,
  );
  const optimizer = new PolicyOptimizer(model, {
    learningRate: {
      peak: config.learningRate,
      warmupSteps: config.warmupSteps,
      decay: "cosine",
      totalSteps: config.steps,
      minimum: config.learningRate / 10,
    },
    maxGradientNorm: config.maxGradientNorm,
  });
  const validationProblems = sampleProblems(task, {
    split: "validation",
    count: config.evalProblems,
    seed: config.seed,
  });
  const random = new Mulberry32(seedStreams.pretrainExamples(config.seed));
  const progress = new Progress("pretrain", config.steps);
  let lastPass = Number.NaN;
  for (let step = 1; step <= config.steps; step++) {
    const rows = sftRows(
      task,
      tokenizer,
      stepProblems(task, config.seed, step, config.batchSize),
      random,
      contextLength,
      config.solverShare,
    );
    const result = optimizer.trainStep(splitIntoMicroBatches(rows, MICRO_BATCH_ROWS), (microBatch) =>
      sftLoss(model, microBatch),
    );
    if (config.evalEvery > 0 && step % config.evalEvery === 0 && step < config.steps) {
      lastPass = await greedyPassAt1({ model, tokenizer, task, problems: validationProblems, seed: config.seed });
    }
    progress.update(step, {
      loss: shown(result.loss),
      lr: result.learningRate.toExponential(1),
      "val pass@1": shown(lastPass, 2),
    });
    // Training steps are synchronous; yielding lets the progress display and signal handlers run.
    await new Promise((resolve) => setImmediate(resolve));
  }
  progress.stop();
  const { summary: validation } = await evaluateModel({
    model,
    tokenizer,
    task,
    problems: validationProblems,
    samples: 16,
    seed: config.seed,
    label: "validate",
  });
  log(
    `validation: greedy pass@1 ${shown(validation.passAt1Greedy)}, pass@1 ${shown(validation.passAtK["1"])}, pass@16 ${shown(validation.passAtK["16"])}, well-formed ${shown(validation.wellFormedRate)}`,
  );
  await saveCheckpoint(out, {
    model,
    tokenizer,
    metadata: { task: config.task, taskOptions: task.options, pretrain: config, validation },
  });
  await writeJsonAtomic(join(out, "pretrain.json"), { config, parameters, validation });
  optimizer.dispose();
  model.dispose();
  return { checkpoint: out, parameters, validation };
}
