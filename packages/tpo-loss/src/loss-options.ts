import { requireAtLeast, requireFinite, requireOneOf, TpoLossInputError } from "./errors.js";
import { type KlEstimator, klEstimators, type LossAggregation, lossAggregations } from "./option-choices.js";

/** Options of the clipped policy loss (docs/METHOD.md section 6). Plain data, so presets can carry them. */
export interface PolicyLossOptions {
  /** eps_low: the ratio is clipped below at 1 - clipLow. Default 0.2. */
  readonly clipLow?: number;
  /** eps_high: the ratio is clipped above at 1 + clipHigh. Default: clipLow (0.28 is DAPO's clip-higher). */
  readonly clipHigh?: number;
  /** Dual-clip constant c (> 1) bounding the loss of negative-advantage tokens by c |A|; null (default) is off. */
  readonly dualClip?: number | null;
  /** Default 'token-mean'. */
  readonly lossAggregation?: LossAggregation;
  /**
   * Divisor length of 'seq-mean-token-sum-norm' (Dr.GRPO's max completion length); null (default)
   * uses the tensors' time dimension. Keep it constant across steps to match Dr.GRPO.
   */
  readonly normalizerLength?: number | null;
  /** beta_kl, the weight of the KL-to-reference plugin. Default 0 (off, no reference needed). */
  readonly klCoefficient?: number;
  /** Default 'k3' (clamped to [-10, 10]). */
  readonly klEstimator?: KlEstimator;
  /** Entropy bonus c: loss -= c * aggregated token entropy. Default 0 (off). */
  readonly entropyCoefficient?: number;
}

export interface ResolvedPolicyLossOptions {
  readonly clipLow: number;
  readonly clipHigh: number;
  readonly dualClip: number | null;
  readonly lossAggregation: LossAggregation;
  readonly normalizerLength: number | null;
  readonly klCoefficient: number;
  readonly klEstimator: KlEstimator;
  readonly entropyCoefficient: number;
}

/**
 * Fill in defaults and reject meaningless values, naming the option.
 *
 * @example
 * resolvePolicyLossOptions({ clipHigh: 0.28 }); // { clipLow: 0.2, clipHigh: 0.28, ... }
 */
export function resolvePolicyLossOptions(options: PolicyLossOptions = {}): ResolvedPolicyLossOptions {
  const clipLow = requireAtLeast(options.clipLow ?? 0.2, 0, "clipLow");
  if (clipLow >= 1)
    throw new TpoLossInputError(`must be < 1 (the ratio floor is 1 - clipLow), got ${clipLow}`, "option clipLow");
  const dualClip = options.dualClip ?? null;
  if (dualClip !== null && !(dualClip > 1 && dualClip < Number.POSITIVE_INFINITY)) {
    throw new TpoLossInputError(`must be a finite number > 1 or null, got ${dualClip}`, "option dualClip");
  }
  const normalizerLength = options.normalizerLength ?? null;
  if (normalizerLength !== null && !(normalizerLength > 0 && Number.isFinite(normalizerLength))) {
    throw new TpoLossInputError(
      `must be a positive number or null, got ${normalizerLength}`,
      "option normalizerLength",
    );
  }
  return {
    clipLow,
    clipHigh: requireAtLeast(options.clipHigh ?? clipLow, 0, "clipHigh"),
    dualClip,
    lossAggregation: requireOneOf(options.lossAggregation ?? "token-mean", lossAggregations, "lossAggregation"),
    normalizerLength,
    klCoefficient: requireFinite(options.klCoefficient ?? 0, "klCoefficient"),
    klEstimator: requireOneOf(options.klEstimator ?? "k3", klEstimators, "klEstimator"),
    entropyCoefficient: requireFinite(options.entropyCoefficient ?? 0, "entropyCoefficient"),
  };
}
