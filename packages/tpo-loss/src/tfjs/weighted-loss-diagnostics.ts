import { TpoLossInputError } from "../errors.js";
import type { LossDiagnostics } from "./loss-diagnostics.js";

/**
 * Combine the diagnostics of micro-batches into those of the full batch, with the weights the
 * losses were combined with (`TrainingMicroBatch.weight`): each diagnostic is the weighted sum.
 * A regulariser term missing from a micro-batch counts as 0 there; the mean entropy is null unless
 * every micro-batch has one.
 *
 * @example
 * const micro = trainingMicroBatches(batch, 32, "token-mean");
 * const all = await Promise.all(kept.map(readLossDiagnostics));
 * weightedLossDiagnostics(all, micro.map((m) => m.weight));
 */
export function weightedLossDiagnostics(all: readonly LossDiagnostics[], weights: readonly number[]): LossDiagnostics {
  if (weights.length !== all.length) {
    throw new TpoLossInputError(`has ${weights.length} entries for ${all.length} diagnostics`, "weights");
  }
  const sum = (pick: (diagnostics: LossDiagnostics) => number) =>
    all.reduce((total, diagnostics, index) => total + pick(diagnostics) * (weights[index] as number), 0);
  const names = new Set(all.flatMap((diagnostics) => Object.keys(diagnostics.terms)));
  const terms: Record<string, number> = {};
  for (const name of names) terms[name] = sum((diagnostics) => diagnostics.terms[name] ?? 0);
  const entropies = all.length > 0 && all.every((diagnostics) => diagnostics.meanEntropy !== null);
  return {
    loss: sum((diagnostics) => diagnostics.loss),
    policy: sum((diagnostics) => diagnostics.policy),
    clipFraction: sum((diagnostics) => diagnostics.clipFraction),
    clipFractionHigh: sum((diagnostics) => diagnostics.clipFractionHigh),
    clipFractionLow: sum((diagnostics) => diagnostics.clipFractionLow),
    dualClipFraction: sum((diagnostics) => diagnostics.dualClipFraction),
    approxKl: sum((diagnostics) => diagnostics.approxKl),
    meanEntropy: entropies ? sum((diagnostics) => diagnostics.meanEntropy ?? 0) : null,
    terms,
  };
}
