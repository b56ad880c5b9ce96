import * as tf from "@tensorflow/tfjs";
import { TpoLossInputError } from "../errors.js";
import { type PolicyLossOptions, resolvePolicyLossOptions } from "../loss-options.js";
import { aggregateTokenValues } from "./aggregate-token-values.js";
import { clippedSurrogate } from "./clipped-surrogate.js";
import { entropyBonus } from "./entropy-bonus.js";
import { klRegularizer } from "./kl-regularizer.js";
import { diagnosticTensors, type LossDiagnosticsTensors } from "./loss-diagnostics.js";
import { checkPolicyLossInputs, type PolicyLossInputs } from "./policy-loss-inputs.js";
import type { Regularizer, RegularizerBatch, RegularizerOutputs } from "./regularizer.js";
import { stopGradient } from "./stop-gradient.js";

export interface TfjsPolicyLossOptions extends PolicyLossOptions {
  /** Extra terms added after the KL and entropy plugins that `klCoefficient` / `entropyCoefficient` switch on. */
  readonly regularizers?: readonly Regularizer[];
}

export interface PolicyLossResult {
  /** The differentiable total loss; return it from the function given to `tf.variableGrads`. */
  readonly loss: tf.Scalar;
  readonly diagnostics: LossDiagnosticsTensors;
}

/**
 * The clipped policy loss of docs/METHOD.md section 6 plus regularisers:
 * loss = aggregate(clipped surrogate) + sum_r coefficient_r x term_r.
 *
 * @example
 * let diagnostics: LossDiagnosticsTensors | undefined;
 * const { grads } = tf.variableGrads(() => {
 *   // Presets carry the KL term (0.001): refLogp are the frozen reference policy's log-probs.
 *   const result = policyLoss({ logp, advantages, mask, entropy, refLogp }, trainingPreset("dapo").loss);
 *   diagnostics = result.diagnostics;
 *   return result.loss;
 * });
 * optimizer.applyGradients(grads);
 * const numbers = await readLossDiagnostics(diagnostics!);
 */
export function policyLoss(inputs: PolicyLossInputs, options: TfjsPolicyLossOptions = {}): PolicyLossResult {
  const resolved = resolvePolicyLossOptions(options);
  checkPolicyLossInputs(inputs);
  const regularizers = activeRegularizers(
    resolved.klCoefficient,
    resolved.klEstimator,
    resolved.entropyCoefficient,
    options,
  );
  const result = tf.tidy(() => {
    const { logp, advantages, mask } = inputs;
    const oldLogp = (inputs.oldLogp ?? stopGradient(logp)) as tf.Tensor2D;
    const aggregate = (values: tf.Tensor) =>
      aggregateTokenValues(values, mask, resolved.lossAggregation, resolved.normalizerLength);
    const tokenMean = (values: tf.Tensor) => aggregateTokenValues(values, mask, "token-mean");
    const surrogate = clippedSurrogate(logp, oldLogp, advantages, resolved);
    const policy = aggregate(surrogate.tokenLoss);
    const batch: RegularizerBatch = {
      oldLogp,
      advantages,
      mask,
      refLogp: inputs.refLogp ?? null,
      lossAggregation: resolved.lossAggregation,
      aggregate,
      tokenMean,
    };
    const outputs: RegularizerOutputs = { logp, entropy: inputs.entropy ?? null };
    const terms: Record<string, tf.Scalar> = {};
    // A distinct tensor, so disposing the returned loss never disposes the kept diagnostics.
    let loss: tf.Scalar = tf.clone(policy);
    for (const regularizer of regularizers) {
      const term = regularizer.term(batch, outputs);
      if (term.rank !== 0) {
        throw new TpoLossInputError(
          `term returned shape [${term.shape}], expected a scalar`,
          `regularizer '${regularizer.name}'`,
        );
      }
      terms[regularizer.name] = term;
      loss = tf.add(loss, tf.mul(term, regularizer.coefficient));
    }
    const diagnostics: LossDiagnosticsTensors = {
      loss: tf.clone(loss),
      policy,
      clipFraction: tokenMean(surrogate.clipped),
      clipFractionHigh: tokenMean(surrogate.clippedHigh),
      clipFractionLow: tokenMean(surrogate.clippedLow),
      dualClipFraction: tokenMean(surrogate.dualClipped),
      approxKl: tokenMean(tf.sub(oldLogp, logp)),
      meanEntropy: inputs.entropy ? tokenMean(inputs.entropy) : null,
      terms,
    };
    // tidy keeps every tensor of the returned object; its type only admits plain containers.
    return { loss, diagnostics } as unknown as tf.TensorContainer;
  }) as unknown as PolicyLossResult;
  // Kept tensors outlive any enclosing tidy (such as the one inside tf.variableGrads).
  for (const tensor of diagnosticTensors(result.diagnostics)) tf.keep(tensor);
  return result;
}

function activeRegularizers(
  klCoefficient: number,
  klEstimator: "k1" | "k2" | "k3",
  entropyCoefficient: number,
  options: TfjsPolicyLossOptions,
): Regularizer[] {
  const regularizers: Regularizer[] = [];
  if (klCoefficient !== 0) regularizers.push(klRegularizer(klCoefficient, klEstimator));
  if (entropyCoefficient !== 0) regularizers.push(entropyBonus(entropyCoefficient));
  regularizers.push(...(options.regularizers ?? []));
  const names = new Set<string>(["policy"]);
  regularizers.forEach((regularizer, index) => {
    if (names.has(regularizer.name)) {
      throw new TpoLossInputError(`name '${regularizer.name}' is already taken in this loss`, `regularizer ${index}`);
    }
    if (!Number.isFinite(regularizer.coefficient)) {
      throw new TpoLossInputError(`coefficient is ${regularizer.coefficient}`, `regularizer '${regularizer.name}'`);
    }
    names.add(regularizer.name);
  });
  return regularizers;
}
