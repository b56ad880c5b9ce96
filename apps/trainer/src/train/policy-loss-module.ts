/**
 * The RL loss as a module: `PolicyOptimizer.trainStepInWorkers` imports it in the main thread and
 * in every worker thread, since a closure cannot cross threads. Its own build entry (tsup), so the
 * bundle has its URL next to it (`POLICY_LOSS_MODULE`). The micro-batch is plain data.
 */
import { responseLogProbs, type TokenRow, type TransformerModel } from "@ibtpo/policy-tfjs";
import type { ResolvedPolicyLossOptions } from "@ibtpo/tpo-loss";
import { type LossDiagnostics, policyLoss, readLossDiagnosticsSync } from "@ibtpo/tpo-loss/tfjs";
import * as tf from "@tensorflow/tfjs";

/** One micro-batch of the clipped RL loss, with every input that does not depend on the weights. */
export interface PolicyLossMicroBatch {
  readonly rows: TokenRow[];
  /** Response columns of the padded arrays below. */
  readonly columns: number;
  /** `[rows, columns]` row-major, as tpo-loss's `padTrainingBatch` pads them (column j = response token j). */
  readonly oldLogprobs: Float32Array;
  readonly advantages: Float32Array;
  /** The train weights of the tokens (0 on padding). */
  readonly mask: Float32Array;
  /** The frozen reference policy's log-probs in the same layout, or null without a KL term. */
  readonly referenceLogprobs: Float32Array | null;
  /** Sampling temperature: log-probs are taken under the distribution the tokens came from. */
  readonly temperature: number;
  readonly lossOptions: ResolvedPolicyLossOptions;
}

/**
 * The algorithm's clipped loss (plus KL and entropy terms) on one micro-batch, with log-probs
 * under the sampling temperature and the ratio taken against the sampling log-probs; the report
 * is the loss diagnostics of this micro-batch.
 */
export function loss(
  model: TransformerModel,
  batch: PolicyLossMicroBatch,
): { readonly loss: tf.Scalar; readonly report: LossDiagnostics } {
  const shape: [number, number] = [batch.rows.length, batch.columns];
  const constant = (values: Float32Array) => tf.tensor2d(values, shape);
  const { logprobs, entropies } = responseLogProbs(model, batch.rows, {
    temperature: batch.temperature,
    columns: batch.columns,
  });
  const result = policyLoss(
    {
      logp: logprobs,
      oldLogp: constant(batch.oldLogprobs),
      advantages: constant(batch.advantages),
      mask: constant(batch.mask),
      entropy: entropies,
      refLogp: batch.referenceLogprobs === null ? null : constant(batch.referenceLogprobs),
    },
    batch.lossOptions,
  );
  return { loss: result.loss, report: readLossDiagnosticsSync(result.diagnostics) };
}
