import * as tf from "@tensorflow/tfjs";
import { requireFinite, TpoLossInputError } from "../errors.js";
import type { Regularizer } from "./regularizer.js";

/**
 * The entropy bonus as a regulariser: term = -(token-mean entropy), so the loss falls by
 * `coefficient` x the mask-weighted mean token entropy, rewarding a spread-out next-token
 * distribution. The mean is over tokens whatever the loss aggregation, so the same coefficient is
 * the same push in every mode (verl reduces its entropy term with `loss_agg_mode`; under verl's
 * default 'token-mean' the two agree).
 *
 * @example
 * policyLoss(inputs, { regularizers: [entropyBonus(0.001)] }); // same as entropyCoefficient: 0.001
 */
export function entropyBonus(coefficient: number): Regularizer {
  requireFinite(coefficient, "entropyCoefficient");
  return {
    name: "entropy",
    coefficient,
    term: (batch, outputs) => {
      if (outputs.entropy === null) {
        throw new TpoLossInputError("is missing but the entropy bonus needs it", "input entropy");
      }
      return tf.neg(batch.tokenMean(outputs.entropy));
    },
  };
}
