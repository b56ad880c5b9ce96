import { SAMPLER_OPTION_SPECS, type SamplerOptionSpec } from "@ibtpo/tree-sampler";
import { z } from "zod";
import {
  ADVANTAGE_CHOICES,
  ADVANTAGE_DEFAULTS,
  ALGORITHMS,
  BACKENDS,
  ESTIMATORS,
  KL_ESTIMATORS,
  LOSS_AGGREGATIONS,
  SAMPLERS,
  TASKS,
  TOKEN_WEIGHTINGS,
} from "./package-choices.js";

const positiveInteger = z.number().int().min(1);
/** Steps between saved trees: a saved step costs about 0.35 MiB at experiments/main.yaml (bench:tree-disk), so a 60-step run keeps 7, about as much as its checkpoints. */
const TREES_EVERY_DEFAULT = 10;

/** The value type of a sampler option; ranges are checked by tree-sampler, which names them. */
function samplerOptionSchema(spec: SamplerOptionSpec): z.ZodType {
  switch (spec.kind) {
    case "integer":
    case "number":
      return z.number();
    case "choice":
      return z.enum(spec.choices as readonly [string, ...string[]]);
    case "boolean":
      return z.boolean();
  }
}

/** Every option of every sampler kind, from tree-sampler's table; which kind takes which is checked later. */
const samplerOptionSchemas = Object.fromEntries(
  Object.values(SAMPLER_OPTION_SPECS)
    .flat()
    .map((spec: SamplerOptionSpec) => [spec.name, samplerOptionSchema(spec).optional()]),
);

/** Overrides of the algorithm's sampler; absent fields keep the sampler's defaults. */
const samplerSchema = z.strictObject({
  kind: z.enum(SAMPLERS).optional(),
  ...samplerOptionSchemas,
  maxDepth: positiveInteger.optional(),
  /**
   * A request that does not fit whole in the remaining budget is not sent ('drop', default: no
   * response is cut by the budget, so none is trained on as a failure it never was) or sent cut
   * short ('truncate': the budget is spent to the last token).
   */
  budgetCut: z.enum(["drop", "truncate"]).optional(),
});

/**
 * Overrides of the algorithm's advantage options: every option tpo-loss resolves, string ones
 * limited to tpo-loss's value lists; numeric ranges are checked by tpo-loss, which names them.
 */
const advantageSchema = z.strictObject({
  estimator: z.enum(ESTIMATORS).optional(),
  ...Object.fromEntries(
    Object.keys(ADVANTAGE_DEFAULTS).map((key) => {
      const choices = (ADVANTAGE_CHOICES as Readonly<Record<string, readonly string[]>>)[key];
      return [key, (choices === undefined ? z.number() : z.enum(choices as [string, ...string[]])).optional()];
    }),
  ),
  /** Old names tpo-loss still accepts (with a warning): `informationWeight` and `stdEpsilon`. */
  beta: z.number().optional(),
  epsilon: z.number().min(0).optional(),
});

const lossSchema = z.strictObject({
  clipLow: z.number().min(0).max(0.99).optional(),
  clipHigh: z.number().min(0).optional(),
  dualClip: z.number().min(1.000001).nullable().optional(),
  lossAggregation: z.enum(LOSS_AGGREGATIONS).optional(),
  klCoefficient: z.number().min(0).optional(),
  klEstimator: z.enum(KL_ESTIMATORS).optional(),
  entropyCoefficient: z.number().optional(),
});

const optimizerSchema = z.strictObject({
  learningRate: z.number().gt(0).max(1).default(1e-4),
  warmupSteps: z.number().int().min(0).default(0),
  schedule: z.enum(["constant", "linear", "cosine"]).default("constant"),
  weightDecay: z.number().min(0).default(0),
  maxGradientNorm: z.number().gt(0).default(1),
  microBatchSize: positiveInteger.default(32),
  /**
   * Optimizer steps on each sampled batch (PPO epochs). With 1 the ratio is 1 and clipping never
   * acts; with more, later epochs are clipped against the sampling policy's log-probs.
   */
  epochs: positiveInteger.default(1),
  /**
   * Optimizer steps per epoch, each on 1/miniBatches of the batch's prompts (PPO mini-batches).
   * Steps after the first train on a policy that has moved since sampling, so clipping acts
   * there at no extra forward or backward pass.
   */
  miniBatches: positiveInteger.default(1),
});

/** Nucleus truncation: sample from the smallest most-likely set whose mass reaches topP (1: all). */
const topPSchema = z.number().gt(0).max(1).default(1);
/** Sample from the topK most likely tokens (0: all). */
const topKSchema = z.number().int().min(0).default(0);

const samplingSchema = z.strictObject({
  temperature: z.number().gt(0).max(10).default(1),
  topP: topPSchema,
  topK: topKSchema,
});

const evaluationSchema = z.strictObject({
  /**
   * Split of the final evaluation: "test" for reported results, "validation" for choosing
   * settings (learning rates, options) without looking at the test split (docs/METHOD.md section 8).
   */
  split: z.enum(["test", "validation"]).default("test"),
  /** Problems of the final evaluation. */
  problems: positiveInteger.default(200),
  /** Sampled responses per problem of the final evaluation (k of pass@k). */
  samples: positiveInteger.default(8),
  temperature: z.number().gt(0).default(1),
  /** Truncation of the final evaluation's sampled responses, as `sampling.topP` and `sampling.topK` of the rollouts. */
  topP: topPSchema,
  topK: topKSchema,
  /** Greedy pass@1 on the validation split every this many steps (0: never), logged as validationAccuracy. */
  every: z.number().int().min(0).default(10),
  validationProblems: positiveInteger.default(100),
});

/** `ibtpo train`: RL from a base checkpoint. */
export const trainConfigSchema = z.strictObject({
  task: z.enum(TASKS).default("countdown"),
  taskOptions: z.record(z.string(), z.number()).default({}),
  algorithm: z.enum(ALGORITHMS).default("ib-tpo"),
  seed: z.number().int().min(0).default(1),
  init: z.string().min(1).default("checkpoints/countdown-base"),
  out: z.string().min(1).optional(),
  backend: z.enum(BACKENDS).default("auto"),
  steps: positiveInteger.default(30),
  promptsPerStep: positiveInteger.default(8),
  /** B: generated tokens per prompt per step, the same for every algorithm. */
  budget: positiveInteger.default(160),
  maxResponseLength: positiveInteger.optional(),
  checkpointEvery: positiveInteger.default(10),
  /** Save the sampled trees (rollouts JSONL and viewer page, in trees/) every this many steps and at the last (0: never). */
  treesEvery: z.number().int().min(0).default(TREES_EVERY_DEFAULT),
  sampler: samplerSchema.default({}),
  advantage: advantageSchema.default({}),
  loss: lossSchema.default({}),
  /** Drop trees whose rewards are all equal before the update (the dapo preset's filter). */
  dropZeroVarianceGroups: z.boolean().optional(),
  /** The old name of `dropZeroVarianceGroups`, still accepted (tpo-loss warns). */
  dynamicSampling: z.boolean().optional(),
  tokenWeighting: z.enum(TOKEN_WEIGHTINGS).optional(),
  /** Truncated responses get train weight 0 (TRL's mask_truncated_completions). */
  maskTruncated: z.boolean().optional(),
  optimizer: optimizerSchema.default({
    learningRate: 1e-4,
    warmupSteps: 0,
    schedule: "constant",
    weightDecay: 0,
    maxGradientNorm: 1,
    microBatchSize: 32,
    epochs: 1,
    miniBatches: 1,
  }),
  sampling: samplingSchema.default({ temperature: 1, topP: 1, topK: 0 }),
  evaluation: evaluationSchema.default({
    split: "test",
    problems: 200,
    samples: 8,
    temperature: 1,
    topP: 1,
    topK: 0,
    every: 10,
    validationProblems: 100,
  }),
});

export type TrainConfig = z.infer<typeof trainConfigSchema>;
