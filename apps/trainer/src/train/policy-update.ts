import {
  logProbsInWorkers,
  type ModelWorkerPool,
  type PolicyOptimizer,
  type TrainStepResult,
  type TransformerModel,
} from "@ibtpo/policy-tfjs";
import {
  type MicroBatchGrouping,
  type ResolvedPolicyLossOptions,
  type TrainingBatch,
  trainingMiniBatches,
} from "@ibtpo/tpo-loss";
import { type LossDiagnostics, weightedLossDiagnostics } from "@ibtpo/tpo-loss/tfjs";
import { loss, type PolicyLossMicroBatch } from "./policy-loss-module.js";
import { POLICY_LOSS_MODULE } from "./policy-loss-module-url.js";
import { microBatches } from "./token-batch.js";

/** What one policy update reads: the models, the optimizer and the loss settings, nothing else. */
export interface PolicyUpdateInputs {
  readonly model: TransformerModel;
  /** The frozen initial policy, for the KL term; null when the KL coefficient is 0. */
  readonly reference: TransformerModel | null;
  readonly optimizer: PolicyOptimizer;
  readonly loss: ResolvedPolicyLossOptions;
  /** Sampling temperature: log-probs are taken under the same distribution the tokens came from. */
  readonly temperature: number;
  readonly microBatchSize: number;
  /**
   * Which rows of an optimizer step share a micro-batch (tpo-loss `trainingMicroBatches`); default
   * 'similar-length', which pads less. Either gives the same step up to the order of float sums.
   */
  readonly microBatchGrouping?: MicroBatchGrouping;
  /** Passes over the batch (PPO epochs). */
  readonly epochs: number;
  /** Optimizer steps per pass, each on its share of the batch's prompts (PPO mini-batches). */
  readonly miniBatches: number;
  /** The longest response the sampler may produce (Dr.GRPO's constant normaliser). */
  readonly maxResponseLength: number;
  /** Worker threads that share the micro-batches with this thread; null: everything here. */
  readonly workerPool: ModelWorkerPool | null;
}

export interface PolicyUpdate {
  readonly update: { readonly loss: number; readonly gradientNorm: number; readonly learningRate: number };
  /** Loss diagnostics of the last epoch, weighted over micro-batches like the loss. */
  readonly diagnostics: LossDiagnostics;
}

/** The loss options of an update: Dr.GRPO's constant normaliser defaults to the longest response. */
function updateLossOptions(inputs: PolicyUpdateInputs): ResolvedPolicyLossOptions {
  return { ...inputs.loss, normalizerLength: inputs.loss.normalizerLength ?? inputs.maxResponseLength };
}

/** One optimizer step's micro-batches, their weights, and the step's share of the update. */
interface UpdateStep {
  readonly weight: number;
  readonly microBatches: PolicyLossMicroBatch[];
  readonly weights: number[];
}

/**
 * A training batch as the loss module's plain micro-batches with their weights (each one's share
 * of the full-batch loss), without reference log-probs ({@link stepsWithReferenceLogprobs} adds them).
 */
function lossMicroBatches(
  inputs: PolicyUpdateInputs,
  batch: TrainingBatch,
): { readonly microBatches: PolicyLossMicroBatch[]; readonly weights: number[] } {
  const lossOptions = updateLossOptions(inputs);
  const chunks = microBatches(batch, inputs.microBatchSize, inputs.loss.lossAggregation, inputs.microBatchGrouping);
  return {
    microBatches: chunks.map((chunk) => ({
      rows: chunk.rows,
      columns: chunk.columns,
      oldLogprobs: chunk.oldLogprobs,
      advantages: chunk.advantages,
      mask: chunk.mask,
      referenceLogprobs: null,
      temperature: inputs.temperature,
      lossOptions,
    })),
    weights: chunks.map((chunk) => chunk.weight),
  };
}

/**
 * The frozen reference policy's log-probs (none without a KL term) for every micro-batch of an
 * update at once, with the same rows and columns as the loss's own forward, so no thread needs
 * the reference model in the loss; shared with the workers when there are (`logProbsInWorkers`:
 * they keep their own copy of the reference).
 */
async function stepsWithReferenceLogprobs(inputs: PolicyUpdateInputs, steps: UpdateStep[]): Promise<UpdateStep[]> {
  const { reference, workerPool } = inputs;
  if (reference === null) return steps;
  const all = steps.flatMap((step) => step.microBatches);
  const batches = all.map(({ rows, temperature, columns }) => ({ rows, temperature, columns }));
  const logprobs = await logProbsInWorkers(reference, batches, { workerPool, costs: all.map(microBatchCost) });
  let next = 0;
  return steps.map((step) => ({
    ...step,
    microBatches: step.microBatches.map((microBatch) => ({ ...microBatch, referenceLogprobs: logprobs[next++]! })),
  }));
}

/** A training batch as the loss module's plain micro-batches, reference log-probs included, with their weights. */
export async function policyLossMicroBatches(
  inputs: PolicyUpdateInputs,
  batch: TrainingBatch,
): Promise<{ readonly microBatches: PolicyLossMicroBatch[]; readonly weights: number[] }> {
  const [step] = await stepsWithReferenceLogprobs(inputs, [{ weight: 1, ...lossMicroBatches(inputs, batch) }]);
  return step!;
}

/** A micro-batch's forward and backward cost, to share a step between threads: its padded tokens. */
export function microBatchCost(microBatch: PolicyLossMicroBatch): number {
  const promptWidth = Math.max(...microBatch.rows.map((row) => row.promptLength));
  return microBatch.rows.length * (promptWidth + microBatch.columns);
}

/**
 * `epochs` passes over one training batch, each `miniBatches` optimizer steps on a share of the
 * batch's prompts (tpo-loss `trainingMiniBatches`). Each step accumulates the gradient of the
 * algorithm's clipped loss (plus KL and entropy terms; `policy-loss-module.ts`) over micro-batches,
 * weighted so the sum equals the mini-batch's loss. The ratio is taken against the sampling
 * log-probs, so every step after the first is clipped. With a worker pool the micro-batches are
 * shared with the workers (`trainStepInWorkers`, which adds their gradients in micro-batch order);
 * without, the same loss runs here through `trainStep`: the two give the same numbers.
 */
export async function updatePolicy(inputs: PolicyUpdateInputs, batch: TrainingBatch): Promise<PolicyUpdate> {
  // The reference log-probs are taken once per update, not per epoch.
  const steps = await stepsWithReferenceLogprobs(
    inputs,
    trainingMiniBatches(batch, inputs.miniBatches, inputs.loss.lossAggregation)
      .map((mini) => ({ weight: mini.weight, ...lossMicroBatches(inputs, mini.batch) }))
      .filter((step) => step.microBatches.length > 0),
  );
  const { model, optimizer, workerPool } = inputs;
  let update: TrainStepResult | null = null;
  let reports: LossDiagnostics[] = [];
  let reportWeights: number[] = [];
  for (let epoch = 0; epoch < inputs.epochs; epoch++) {
    // Diagnostics of the last epoch are reported: that is where clipping acts.
    reports = [];
    reportWeights = [];
    for (const step of steps) {
      let stepReports: LossDiagnostics[] = [];
      if (workerPool === null) {
        update = optimizer.trainStep(
          step.microBatches,
          (chunk) => {
            const result = loss(model, chunk);
            stepReports.push(result.report);
            return result.loss;
          },
          { weights: step.weights },
        );
      } else {
        update = await optimizer.trainStepInWorkers(step.microBatches, POLICY_LOSS_MODULE, {
          weights: step.weights,
          costs: step.microBatches.map(microBatchCost),
          workerPool,
        });
        stepReports = update.reports as LossDiagnostics[];
      }
      reports.push(...stepReports);
      reportWeights.push(...step.weights.map((weight) => step.weight * weight));
    }
  }
  return { update: update as TrainStepResult, diagnostics: weightedLossDiagnostics(reports, reportWeights) };
}
