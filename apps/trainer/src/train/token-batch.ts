import type { TokenRow } from "@ibtpo/policy-tfjs";
import {
  type LossAggregation,
  type MicroBatchGrouping,
  type TrainingBatch,
  type TrainingSequence,
  trainingMicroBatches,
} from "@ibtpo/tpo-loss";
import { tokenRow } from "../runtime/token-row.js";

/** One micro-batch of training rows with the loss inputs that do not depend on the weights. */
export interface MicroBatch {
  readonly rows: TokenRow[];
  readonly sequences: readonly TrainingSequence[];
  readonly columns: number;
  readonly oldLogprobs: Float32Array;
  readonly advantages: Float32Array;
  readonly mask: Float32Array;
  /** This micro-batch's share of the full batch's loss normaliser (tpo-loss `trainingMicroBatches`). */
  readonly weight: number;
}

/** tpo-loss's weighted micro-batches, each with the policy's token rows (prompt + response). */
export function microBatches(
  batch: TrainingBatch,
  size: number,
  lossAggregation: LossAggregation,
  grouping?: MicroBatchGrouping,
): MicroBatch[] {
  return trainingMicroBatches(batch, size, lossAggregation, grouping).map(({ sequences, padded, weight }) => ({
    rows: sequences.map((sequence) => tokenRow(sequence.promptTokens, sequence.tokens)),
    sequences,
    columns: padded.columns,
    oldLogprobs: padded.oldLogprobs,
    advantages: padded.advantages,
    mask: padded.mask,
    weight,
  }));
}
