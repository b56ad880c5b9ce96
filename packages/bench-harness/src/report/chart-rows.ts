import type { StoredRun } from "../comparison/run-folder.js";

/** One plotted point: a training step of one run, with cumulative generated tokens. */
export interface ChartRow {
  readonly algorithm: string;
  readonly seed: string;
  readonly step: number;
  readonly tokens: number;
  readonly [metric: string]: number | string | null;
}

/** Flattens the histories of runs into chart rows, adding cumulative generated tokens. */
export function chartRows(runs: readonly StoredRun[]): ChartRow[] {
  return runs.flatMap((run) => {
    let tokens = 0;
    return run.history.map((step) => {
      tokens += step.generatedTokens;
      return {
        algorithm: run.config.algorithm,
        seed: String(run.config.seed),
        step: step.step,
        tokens,
        accuracy: step.accuracy,
        validationAccuracy: step.validationAccuracy ?? null,
        effRate: step.effRate ?? null,
        entropy: step.entropy ?? null,
        ibScore: step.ibScore ?? null,
        ibH: step.ibH ?? null,
        ibI: step.ibI ?? null,
        ibCov: step.ibCov ?? null,
        ibConfidence: step.ibConfidence ?? null,
        trajectoriesPer1kTokens: step.trajectoriesPer1kTokens ?? null,
      };
    });
  });
}
