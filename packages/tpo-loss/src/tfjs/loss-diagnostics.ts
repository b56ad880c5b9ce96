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

/** The diagnostics as numbers, each scalar read with `read`. */
function diagnosticNumbers(diagnostics: LossDiagnosticsTensors, read: (tensor: tf.Scalar) => number): LossDiagnostics {
  return {
    loss: read(diagnostics.loss),
    policy: read(diagnostics.policy),
    clipFraction: read(diagnostics.clipFraction),
    clipFractionHigh: read(diagnostics.clipFractionHigh),
    clipFractionLow: read(diagnostics.clipFractionLow),
    dualClipFraction: read(diagnostics.dualClipFraction),
    approxKl: read(diagnostics.approxKl),
    meanEntropy: diagnostics.meanEntropy === null ? null : read(diagnostics.meanEntropy),
    terms: Object.fromEntries(Object.entries(diagnostics.terms).map(([name, tensor]) => [name, read(tensor)])),
  };
}

const scalarNow = (tensor: tf.Scalar) => tensor.dataSync()[0] as number;

/**
 * Read the diagnostics after the optimizer step, then dispose their tensors.
 *
 * @example
 * const numbers = await readLossDiagnostics(diagnostics); // { loss, clipFraction, approxKl, ... }
 */
export async function readLossDiagnostics(diagnostics: LossDiagnosticsTensors): Promise<LossDiagnostics> {
  try {
    // Wait for every value without blocking, then each synchronous read returns at once.
    await Promise.all(diagnosticTensors(diagnostics).map((tensor) => tensor.data()));
    return diagnosticNumbers(diagnostics, scalarNow);
  } finally {
    disposeLossDiagnostics(diagnostics);
  }
}

/**
 * {@link readLossDiagnostics} without a promise, for code that must read them inside a loss
 * call (a worker thread's loss module sends plain numbers back); disposes the tensors.
 */
export function readLossDiagnosticsSync(diagnostics: LossDiagnosticsTensors): LossDiagnostics {
  try {
    return diagnosticNumbers(diagnostics, scalarNow);
  } finally {
    disposeLossDiagnostics(diagnostics);
  }
}

/** Dispose the diagnostics' tensors without reading them. */
export function disposeLossDiagnostics(diagnostics: LossDiagnosticsTensors): void {
  for (const tensor of diagnosticTensors(diagnostics)) tensor.dispose();
}
