import type { MeanWithInterval } from "../comparison/confidence-interval.js";
import type { PairedDifference } from "../comparison/paired-difference.js";
import { SUMMARY_METRIC_LABELS, type SummaryRow } from "../comparison/summarize-runs.js";
import { formatMeanInterval } from "./interval-text.js";

/** The metric columns present in the summary, in report order (pass@k by increasing k). */
export function summaryColumns(summary: readonly SummaryRow[]): { readonly key: string; readonly label: string }[] {
  const present = new Set(summary.flatMap((row) => Object.keys(row.metrics)));
  const passKeys = [...present]
    .filter((key) => key.startsWith("pass@"))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  const ordered = [
    "passAt1Greedy",
    "meanAtK",
    ...passKeys,
    "answerDiversity",
    "testIbScore",
    "meanTokens",
    "trainingTokens",
    "trajectoriesPer1kTokens",
  ];
  return ordered.filter((key) => present.has(key)).map((key) => ({ key, label: SUMMARY_METRIC_LABELS[key] ?? key }));
}

/** "0.312 ± 0.041" (or just the mean for one seed); large counts without decimals. */
export function formatInterval(interval: MeanWithInterval | undefined): string {
  if (interval === undefined) return "–";
  const digits = Math.abs(interval.mean) >= 100 ? 0 : 3;
  const mean = interval.mean.toFixed(digits);
  return interval.halfWidth === null ? mean : `${mean} ± ${interval.halfWidth.toFixed(digits)}`;
}

/**
 * The summary as a Markdown table per task, followed by each task's paired differences
 * against the baseline when there are any.
 */
export function summaryMarkdown(
  summary: readonly SummaryRow[],
  heading: string,
  notes: readonly string[],
  differences: readonly PairedDifference[] = [],
): string {
  const columns = summaryColumns(summary);
  const lines = [`# ${heading}`, "", ...notes.map((note) => `- ${note}`), ""];
  for (const task of [...new Set(summary.map((row) => row.task))]) {
    lines.push(`## ${task}`, "");
    lines.push(`| algorithm | seeds | ${columns.map((column) => column.label).join(" | ")} |`);
    lines.push(`| --- | --- | ${columns.map(() => "---").join(" | ")} |`);
    for (const row of summary.filter((candidate) => candidate.task === task)) {
      const cells = columns.map((column) => formatInterval(row.metrics[column.key]));
      lines.push(`| ${row.algorithm} | ${row.seeds.length} | ${cells.join(" | ")} |`);
    }
    lines.push("");
    const paired = differences.filter((row) => row.task === task);
    if (paired.length > 0) {
      const first = paired[0] as PairedDifference;
      const label = SUMMARY_METRIC_LABELS[first.metric] ?? first.metric;
      lines.push(`Paired difference in ${label} against ${first.baseline} (same seed; mean ± 95% CI half-width):`, "");
      lines.push("| algorithm | pairs | difference | 95% CI | per seed |", "| --- | --- | --- | --- | --- |");
      for (const row of paired) {
        const { interval } = row;
        const range = formatMeanInterval(interval, { boundsOnly: true, missing: "–" });
        const perSeed = row.seeds.map((seed, index) => `${seed}: ${(row.differences[index] as number).toFixed(3)}`);
        lines.push(
          `| ${row.algorithm} | ${row.seeds.length} | ${formatInterval(interval)} | ${range} | ${perSeed.join(", ")} |`,
        );
      }
      lines.push("");
    }
  }
  return `${lines.join("\n")}\n`;
}
