import { checkChoice } from "./check-choice.js";
import { IbScoreInputError } from "./errors.js";
import { defaultPaperScoreOptions } from "./paper-score.js";
import { checkStepProbabilityMode, type StepProbabilityMode } from "./step-probability.js";

/**
 * The IB-Score estimators (docs/METHOD.md section 3): 'paper' (section 3.1, the default)
 * J = (1 + beta) E[eta1 eta2]; 'shannon' (section 3.2, this project's first definition) H + beta I.
 */
export const ibScoreEstimators = ["paper", "shannon"] as const;

/** One of {@link ibScoreEstimators}. */
export type IbScoreEstimator = (typeof ibScoreEstimators)[number];

/** How a step's entropy h(c) is formed from its per-token entropies (docs/METHOD.md section 3.2). */
export const stepEntropyModes = ["token-mean", "token-sum"] as const;

/** One of {@link stepEntropyModes}. */
export type StepEntropyMode = (typeof stepEntropyModes)[number];

/** The default beta of each estimator: the paper's 5, and 1 for the Shannon form. */
export const defaultBetaByEstimator: Readonly<Record<IbScoreEstimator, number>> = {
  paper: defaultPaperScoreOptions.beta,
  shannon: 1,
};

export interface IbScoreOptions {
  /** Which IB-Score is reported as `ibScore` and which nodes enter the aggregates. Default 'paper'. */
  readonly estimator?: IbScoreEstimator;
  /**
   * The trade-off beta. Paper form: eta1 = r - (1 + 1/beta), J = (1 + beta) E[eta1 eta2], default 5.
   * Shannon form: IB = H + beta * I, default 1.
   */
  readonly beta?: number;
  /** Pseudo-count of the values in the Shannon information term, v = (correct + a) / (traj + 2a). Default 0.5. The paper form always uses raw values (alpha 0). */
  readonly alpha?: number;
  /** Length-normalise the Shannon step entropies ('token-mean', default) or sum them ('token-sum'). */
  readonly entropy?: StepEntropyMode;
  /** How the paper form's step probability pi(c) is formed. Default 'geometric'. */
  readonly stepProbability?: StepProbabilityMode;
}

export interface ResolvedIbScoreOptions {
  readonly estimator: IbScoreEstimator;
  readonly beta: number;
  readonly alpha: number;
  readonly entropy: StepEntropyMode;
  readonly stepProbability: StepProbabilityMode;
}

/** The defaults: the paper form with its beta; alpha and entropy apply to the Shannon parts. */
export const defaultIbScoreOptions: ResolvedIbScoreOptions = {
  estimator: "paper",
  beta: defaultBetaByEstimator.paper,
  alpha: 0.5,
  entropy: "token-mean",
  stepProbability: defaultPaperScoreOptions.stepProbability,
};

/** Fill in defaults (beta by estimator) and reject values that would make the score meaningless. */
export function resolveIbScoreOptions(options: IbScoreOptions = {}): ResolvedIbScoreOptions {
  const estimator = checkChoice(
    options.estimator ?? defaultIbScoreOptions.estimator,
    ibScoreEstimators,
    "estimator",
    "option estimator",
  );
  const beta = options.beta ?? defaultBetaByEstimator[estimator];
  const alpha = options.alpha ?? defaultIbScoreOptions.alpha;
  const entropy = options.entropy ?? defaultIbScoreOptions.entropy;
  if (!Number.isFinite(beta)) throw new IbScoreInputError(`beta must be a finite number, got ${beta}`, "option beta");
  if (estimator === "paper" && !(beta > 0)) {
    throw new IbScoreInputError(`beta must be a finite number > 0 in the paper form, got ${beta}`, "option beta");
  }
  if (!(alpha >= 0 && alpha < Number.POSITIVE_INFINITY)) {
    throw new IbScoreInputError(`alpha must be a finite number >= 0, got ${alpha}`, "option alpha");
  }
  if (!(stepEntropyModes as readonly unknown[]).includes(entropy)) {
    throw new IbScoreInputError(
      `entropy must be 'token-mean' or 'token-sum', got '${String(entropy)}'`,
      "option entropy",
    );
  }
  const stepProbability = checkStepProbabilityMode(options.stepProbability ?? defaultIbScoreOptions.stepProbability);
  return { estimator, beta, alpha, entropy, stepProbability };
}
