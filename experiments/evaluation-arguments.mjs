// The `ibtpo eval` flags that score a checkpoint the way a run's final evaluation scored its policy:
// the same split, problems, samples, sampling seed, temperature and truncation, from the run's
// recorded config. Flags given after them override them (the last value of a flag wins).

/**
 * @param {{ seed: number, evaluation: { split: string, problems: number, samples: number,
 *   temperature: number, topP?: number, topK?: number } }} config a run's config.json
 * @returns {string[]}
 */
export function evaluationArguments(config) {
  const { evaluation } = config;
  return [
    "--split",
    evaluation.split,
    "--problems",
    String(evaluation.problems),
    "--samples",
    String(evaluation.samples),
    "--seed",
    String(config.seed),
    "--temperature",
    String(evaluation.temperature),
    // Runs recorded before the evaluation's truncation options evaluated without truncation.
    "--top-p",
    String(evaluation.topP ?? 1),
    "--top-k",
    String(evaluation.topK ?? 0),
  ];
}
