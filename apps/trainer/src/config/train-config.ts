import { z } from "zod";

const positiveInteger = z.number().int().min(1);

export const ALGORITHMS = ["ib-tpo", "grpo", "dr-grpo", "dapo", "grpo-entropy", "grpo-clip-higher", "treerl"] as const;
export const TASKS = ["countdown", "graph-path", "sort-swaps"] as const;
export const BACKENDS = ["auto", "node-gpu", "node", "wasm", "cpu"] as const;

/** Overrides of the algorithm's sampler; absent fields keep the algorithm's defaults. */
const samplerSchema = z.strictObject({
  kind: z.enum(["chains", "entropy-tree", "ib-tree", "random-tree"]).optional(),
  /** chains: G responses per prompt. */
  responses: positiveInteger.optional(),
  /** trees: M initial chains. */
  initialChains: positiveInteger.optional(),
  /** ib-tree / random-tree: N nodes branched per iteration. */
  nodesPerRound: positiveInteger.optional(),
  /** all trees: T branches per selected node or fork point. */
  branches: positiveInteger.optional(),
  /** entropy-tree: N fork points per round. */
  forkPoints: positiveInteger.optional(),
  /** trees: cap on rounds after the initial chains. */
  rounds: positiveInteger.optional(),
  maxDepth: positiveInteger.optional(),
  /**
   * A request that does not fit whole in the remaining budget is not sent ('drop', default: no
   * response is cut by the budget, so none is trained on as a failure it never was) or sent cut
   * short ('truncate': the budget is spent to the last token).
   */
  budgetCut: z.enum(["drop", "truncate"]).optional(),
});

const advantageSchema = z.strictObject({
  estimator: z.enum(["grpo", "treerl", "ib-tpo"]).optional(),
  scaleRewards: z.enum(["group", "batch", "none"]).optional(),
  epsilon: z.number().min(0).optional(),
  lambda: z.number().optional(),
  beta: z.number().optional(),
  informationAlpha: z.number().min(0).optional(),
  valueAlpha: z.number().min(0).optional(),
  localValue: z.number().optional(),
  leafNorm: z.enum(["sqrt", "none"]).optional(),
  surprisal: z.enum(["token-mean", "token-sum"]).optional(),
});

const lossSchema = z.strictObject({
  clipLow: z.number().min(0).max(0.99).optional(),
  clipHigh: z.number().min(0).optional(),
  dualClip: z.number().min(1.000001).nullable().optional(),
  lossAggregation: z.enum(["seq-mean-token-mean", "token-mean", "seq-mean-token-sum-norm"]).optional(),
  klCoefficient: z.number().min(0).optional(),
  klEstimator: z.enum(["k1", "k2", "k3"]).optional(),
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
});

const samplingSchema = z.strictObject({
  temperature: z.number().gt(0).max(10).default(1),
  topP: z.number().gt(0).max(1).default(1),
  topK: z.number().int().min(0).default(0),
});

const evaluationSchema = z.strictObject({
  /** Test-split problems of the final evaluation. */
  problems: positiveInteger.default(200),
  /** Sampled responses per test problem (k of pass@k). */
  samples: positiveInteger.default(8),
  temperature: z.number().gt(0).default(1),
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
  sampler: samplerSchema.default({}),
  advantage: advantageSchema.default({}),
  loss: lossSchema.default({}),
  dynamicSampling: z.boolean().optional(),
  tokenWeighting: z.enum(["dedup", "per-trajectory"]).optional(),
  optimizer: optimizerSchema.default({
    learningRate: 1e-4,
    warmupSteps: 0,
    schedule: "constant",
    weightDecay: 0,
    maxGradientNorm: 1,
    microBatchSize: 32,
    epochs: 1,
  }),
  sampling: samplingSchema.default({ temperature: 1, topP: 1, topK: 0 }),
  evaluation: evaluationSchema.default({
    problems: 200,
    samples: 8,
    temperature: 1,
    every: 10,
    validationProblems: 100,
  }),
});

export type TrainConfig = z.infer<typeof trainConfigSchema>;
