import type { BatchSummary } from "./batch-summary.js";
import { type PromptReport, RolloutAnalyzer, type RolloutAnalyzerOptions } from "./rollout-analyzer.js";
import { parseRolloutRecord } from "./rollout-record.js";

export interface RolloutAnalysis {
  readonly summary: BatchSummary;
  readonly prompts: PromptReport[];
}

/**
 * Score a stream of rollout JSONL lines (one response per line, see `parseRolloutRecord`).
 * `source` names the input in errors, which read `source:line: what is wrong`. Blank lines are skipped.
 *
 * @example
 * import { createReadStream } from "node:fs";
 * import { createInterface } from "node:readline";
 * const lines = createInterface({ input: createReadStream("rollouts.jsonl"), crlfDelay: Infinity });
 * const { summary } = await analyzeRolloutLines(lines, "rollouts.jsonl");
 */
export async function analyzeRolloutLines(
  lines: AsyncIterable<string> | Iterable<string>,
  source: string,
  options: RolloutAnalyzerOptions = {},
): Promise<RolloutAnalysis> {
  const analyzer = new RolloutAnalyzer(options);
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === "") continue;
    const location = `${source}:${lineNumber}`;
    analyzer.add(parseRolloutRecord(line, location), location);
  }
  return analyzer.finish();
}

/** The JSON document printed by `ib-score analyze --json`. */
export function analysisToJson(analysis: RolloutAnalysis): object {
  const { summary } = analysis;
  return {
    summary: {
      prompts: summary.prompts,
      trajectories: summary.trajectories,
      eff_rate: summary.effRate,
      collapsed: summary.collapsed,
      ib_score: summary.ibScore,
      H: summary.H,
      I: summary.I,
      surprisal_fallback: summary.usedSurprisalFallback,
    },
    prompts: analysis.prompts,
  };
}
