import { requireFinite, requireOneOf, TpoLossInputError } from "../errors.js";
import { type KlEstimator, klEstimators } from "../option-choices.js";
import { klPenalty } from "./kl-penalty.js";
import type { Regularizer } from "./regularizer.js";

/**
 * The KL-to-reference penalty as a regulariser: term = aggregate(k(logp, refLogp)) with the chosen
 * estimator (see {@link klPenalty}); the loss adds `coefficient` x term (GRPO's beta).
 *
 * @example
 * policyLoss({ ...inputs, refLogp }, { regularizers: [klRegularizer(0.001, "k3")] });
 */
export function klRegularizer(coefficient: number, estimator: KlEstimator = "k3"): Regularizer {
  requireFinite(coefficient, "klCoefficient");
  requireOneOf(estimator, klEstimators, "klEstimator");
  return {
    name: "kl",
    coefficient,
    term: (batch, outputs) => {
      if (batch.refLogp === null) {
        throw new TpoLossInputError("is missing but the KL term needs it (or set klCoefficient to 0)", "input refLogp");
      }
      return batch.aggregate(klPenalty(outputs.logp, batch.refLogp, estimator));
    },
  };
}
