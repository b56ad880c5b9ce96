import { z } from "zod";
import { BACKENDS, TASKS } from "./package-choices.js";

const positiveInteger = z.number().int().min(1);

/** `ibtpo pretrain`: SFT warm-up on a task's random legal trajectories (and, with `solverShare`, its solutions). */
export const pretrainConfigSchema = z.strictObject({
  task: z.enum(TASKS).default("countdown"),
  taskOptions: z.record(z.string(), z.number()).default({}),
  seed: z.number().int().min(0).default(1),
  out: z.string().min(1).optional(),
  backend: z.enum(BACKENDS).default("auto"),
  model: z
    .strictObject({
      modelDimension: positiveInteger.default(64),
      layers: positiveInteger.default(2),
      heads: positiveInteger.default(4),
      /** Default: the task's longest prompt plus its longest response, rounded up to a multiple of 8. */
      contextLength: positiveInteger.optional(),
      tieEmbeddings: z.boolean().default(true),
      positional: z.enum(["learned", "sinusoidal"]).default("learned"),
    })
    .default({ modelDimension: 64, layers: 2, heads: 4, tieEmbeddings: true, positional: "learned" }),
  /**
   * Share of SFT rows whose response is the task's reference solution instead of a random legal
   * trajectory. 0 (default): the base policy learns the format and the moves, and solves by
   * chance. Above 0 it also half-knows the solution, as a pretrained model half-knows a skill that
   * RL then sharpens.
   */
  solverShare: z.number().min(0).max(1).default(0),
  steps: positiveInteger.default(1500),
  batchSize: positiveInteger.default(32),
  learningRate: z.number().gt(0).max(1).default(2e-3),
  warmupSteps: z.number().int().min(0).default(50),
  maxGradientNorm: z.number().gt(0).default(1),
  /** Evaluate greedy pass@1 on the validation split every this many steps (0: only at the end). */
  evalEvery: z.number().int().min(0).default(250),
  evalProblems: positiveInteger.default(100),
});

export type PretrainConfig = z.infer<typeof pretrainConfigSchema>;
