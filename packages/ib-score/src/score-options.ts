import { IbScoreInputError } from "./errors.js";

/** How a step's entropy h(c) is formed from its per-token entropies (docs/METHOD.md section 3). */
export type StepEntropyMode = "token-mean" | "token-sum";

export interface IbScoreOptions {
  /** Weight of the information term: IB = H + beta * I. Default 1. */
  readonly beta?: number;
  /** Pseudo-count of the values used by the information terms, v = (correct + a) / (traj + 2a). Default 0.5. */
  readonly alpha?: number;
  /** Length-normalise step entropies ('token-mean', default) or sum them ('token-sum'). */
  readonly entropy?: StepEntropyMode;
}

export interface ResolvedIbScoreOptions {
  readonly beta: number;
  readonly alpha: number;
  readonly entropy: StepEntropyMode;
}

export const defaultIbScoreOptions: ResolvedIbScoreOptions = { beta: 1, alpha: 0.5, entropy: "token-mean" };

/** Fill in defaults and reject values that would make the score meaningless. */
export function resolveIbScoreOptions(options: IbScoreOptions = {}): ResolvedIbScoreOptions {
  const beta = options.beta ?? defaultIbScoreOptions.beta;
  const alpha = options.alpha ?? defaultIbScoreOptions.alpha;
  const entropy = options.entropy ?? defaultIbScoreOptions.entropy;
  if (!Number.isFinite(beta)) throw new IbScoreInputError(`beta must be a finite number, got ${beta}`, "option beta");
  if (!(alpha >= 0 && alpha < Number.POSITIVE_INFINITY)) {
    throw new IbScoreInputError(`alpha must be a finite number >= 0, got ${alpha}`, "option alpha");
  }
  if (entropy !== "token-mean" && entropy !== "token-sum") {
    throw new IbScoreInputError(
      `entropy must be 'token-mean' or 'token-sum', got '${String(entropy)}'`,
      "option entropy",
    );
  }
  return { beta, alpha, entropy };
}
