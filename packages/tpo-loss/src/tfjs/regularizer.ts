import type * as tf from "@tensorflow/tfjs";
import type { LossAggregation } from "../option-choices.js";

/** What a regulariser sees of the batch: the targets of the update and the loss's reduction. */
export interface RegularizerBatch {
  readonly oldLogp: tf.Tensor2D;
  readonly advantages: tf.Tensor2D;
  /** Per-token train weights. */
  readonly mask: tf.Tensor2D;
  readonly refLogp: tf.Tensor2D | null;
  readonly lossAggregation: LossAggregation;
  /** Reduce per-token values to a scalar exactly as the policy loss is reduced (mode and mask). */
  aggregate(values: tf.Tensor): tf.Scalar;
  /** The mask-weighted token mean sum(m x) / sum(m), whatever the loss aggregation. */
  tokenMean(values: tf.Tensor): tf.Scalar;
}

/** What a regulariser sees of the model's outputs (differentiable). */
export interface RegularizerOutputs {
  readonly logp: tf.Tensor2D;
  readonly entropy: tf.Tensor2D | null;
}

/**
 * An extra differentiable loss term: the total loss adds `coefficient * term(batch, outputs)`.
 * The entropy bonus and the KL penalty are regularisers; a user-defined one plugs in the same way.
 * `term` runs inside the loss's `tf.tidy`, so intermediate tensors need no disposal.
 *
 * @example
 * // Penalise long-run drift from the sampling policy with a squared log-ratio.
 * const drift: Regularizer = {
 *   name: "drift",
 *   coefficient: 0.01,
 *   term: (batch, outputs) => batch.aggregate(tf.square(tf.sub(outputs.logp, batch.oldLogp))),
 * };
 * policyLoss(inputs, { regularizers: [drift] });
 */
export interface Regularizer {
  /** Key of the term in the diagnostics; unique within a loss call ("policy" is taken). */
  readonly name: string;
  readonly coefficient: number;
  term(batch: RegularizerBatch, outputs: RegularizerOutputs): tf.Scalar;
}
