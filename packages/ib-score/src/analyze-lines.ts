import type { BatchSummary } from "./batch-summary.js";
import { type PromptReport, RolloutAnalyzer, type RolloutAnalyzerOptions } from "./rollout-analyzer.js";
import { type RolloutFormat, RolloutLineReader } from "./rollout-formats.js";

export interface RolloutAnalysis {
  readonly summary: BatchSummary;
  readonly prompts: PromptReport[];
  /** The line format read (given or detected); null for an input without lines. */
  readonly format?: RolloutFormat | null;
}

/**
 * Score a stream of rollout JSONL lines (one response per line in one of the `rolloutFormats`,
 * detected from the first line unless `options.format` is given). `source` names the input in
 * errors, which read `source:line: what is wrong`. Blank lines are skipped.
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
  const reader = options.reader ?? new RolloutLineReader(options);
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === "") continue;
    const location = `${source}:${lineNumber}`;
    analyzer.add(reader.parse(line, location), location);
  }
  return { ...analyzer.finish(), format: reader.format };
}

/** The JSON document printed by `ib-score analyze --json`. */
export function analysisToJson(analysis: RolloutAnalysis): object {
  return { summary: summaryToJson(analysis.summary, analysis.format ?? null), prompts: analysis.prompts };
}

/** The batch summary with the field names of the JSON output. */
export function summaryToJson(summary: BatchSummary, format: RolloutFormat | null): Record<string, unknown> {
  return {
    prompts: summary.prompts,
    trajectories: summary.trajectories,
    eff_rate: summary.effRate,
    collapsed: summary.collapsed,
    ib_score: summary.ibScore,
    H: summary.H,
    I: summary.I,
    surprisal_fallback: summary.usedSurprisalFallback,
    missing_logprobs: summary.missingLogprobs,
    format,
    estimator: summary.estimator,
    avg_rate: summary.avgRate,
    cov: summary.cov,
    confidence: summary.confidence,
  };
}
