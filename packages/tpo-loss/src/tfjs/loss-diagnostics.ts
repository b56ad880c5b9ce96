import type * as tf from "@tensorflow/tfjs";

/**
 * Diagnostics of one loss call as scalar tensors. They are kept out of every `tf.tidy` (so they
 * survive `tf.variableGrads`): read them with {@link readLossDiagnostics} (which disposes them)
 * or dispose them with {@link disposeLossDiagnostics}.
 */
export interface LossDiagnosticsTensors {
  /** The total loss (policy term + weighted regularisers), a copy detached from the returned loss. */
  readonly loss: tf.Scalar;
  /** The aggregated clipped surrogate. */
  readonly policy: tf.Scalar;
  /** Share of trained tokens (by weight) where the clipped term was active. */
  readonly clipFraction: tf.Scalar;
  /** The part of `clipFraction` clipped at the upper bound 1 + clipHigh (positive advantages). */
  readonly clipFractionHigh: tf.Scalar;
  /** The part of `clipFraction` clipped at the lower bound 1 - clipLow (negative advantages). */
  readonly clipFractionLow: tf.Scalar;
  /** Share of trained tokens (by weight) where the dual clip bounded the loss. */
  readonly dualClipFraction: tf.Scalar;
  /** Weighted token mean of oldLogp - logp (verl's `ppo_kl`); 0 on the first update of a batch. */
  readonly approxKl: tf.Scalar;
  /** Weighted token mean of the entropy, or null when no entropy was given. */
  readonly meanEntropy: tf.Scalar | null;
  /** Each regulariser's term before its coefficient, by name. */
  readonly terms: Readonly<Record<string, tf.Scalar>>;
}

/** The same diagnostics as plain numbers. */
export interface LossDiagnostics {
  readonly loss: number;
  readonly policy: number;
  readonly clipFraction: number;
  readonly clipFractionHigh: number;
  readonly clipFractionLow: number;
  readonly dualClipFraction: number;
  readonly approxKl: number;
  readonly meanEntropy: number | null;
  readonly terms: Readonly<Record<string, number>>;
}

/** Every tensor the diagnostics hold. */
export function diagnosticTensors(diagnostics: LossDiagnosticsTensors): tf.Scalar[] {
  const { loss, policy, clipFraction, clipFractionHigh, clipFractionLow, dualClipFraction, approxKl } = diagnostics;
  const { meanEntropy, terms } = diagnostics;
  const scalars = [loss, policy, clipFraction, clipFractionHigh, clipFractionLow, dualClipFraction, approxKl];
  scalars.push(...Object.values(terms));
  return meanEntropy === null ? scalars : [...scalars, meanEntropy];
}

async function scalarValue(tensor: tf.Scalar): Promise<number> {
  return (await tensor.data())[0] as number;
}

/**
 * Read the diagnostics after the optimizer step, then dispose their tensors.
 *
 * @example
 * const numbers = await readLossDiagnostics(diagnostics); // { loss, clipFraction, approxKl, ... }
 */
export async function readLossDiagnostics(diagnostics: LossDiagnosticsTensors): Promise<LossDiagnostics> {
  try {
    const termEntries = await Promise.all(
      Object.entries(diagnostics.terms).map(async ([name, tensor]) => [name, await scalarValue(tensor)] as const),
    );
    return {
      loss: await scalarValue(diagnostics.loss),
      policy: await scalarValue(diagnostics.policy),
      clipFraction: await scalarValue(diagnostics.clipFraction),
      clipFractionHigh: await scalarValue(diagnostics.clipFractionHigh),
      clipFractionLow: await scalarValue(diagnostics.clipFractionLow),
      dualClipFraction: await scalarValue(diagnostics.dualClipFraction),
      approxKl: await scalarValue(diagnostics.approxKl),
      meanEntropy: diagnostics.meanEntropy === null ? null : await scalarValue(diagnostics.meanEntropy),
      terms: Object.fromEntries(termEntries),
    };
  } finally {
    disposeLossDiagnostics(diagnostics);
  }
}

/** Dispose the diagnostics' tensors without reading them. */
export function disposeLossDiagnostics(diagnostics: LossDiagnosticsTensors): void {
  for (const tensor of diagnosticTensors(diagnostics)) tensor.dispose();
}
