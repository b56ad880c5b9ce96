import type { RolloutAnalysis } from "./analyze-lines.js";

const format = (value: number | null, digits = 4) => (value === null ? "-" : value.toFixed(digits));

/**
 * A human-readable table of an analysis: the batch summary, then up to `limit` prompts.
 * `totalPrompts` is the number of prompts analysed when `analysis.prompts` holds only the first ones.
 */
export function formatAnalysis(analysis: RolloutAnalysis, limit = 20, totalPrompts = analysis.prompts.length): string {
  const { summary, prompts } = analysis;
  const lines = [
    `prompts       ${summary.prompts}`,
    `trajectories  ${summary.trajectories}`,
    `Eff-Rate      ${format(summary.effRate)}   Avg-Rate ${format(summary.avgRate)}`,
    `collapsed     ${summary.collapsed} (${summary.estimator === "shannon" ? "no branching node" : "no node with two draws"})`,
    `IB-Score      ${format(summary.ibScore)}   (${summary.estimator ?? "paper"} form)`,
    `Cov           ${format(summary.cov)}   confidence ${format(summary.confidence)}`,
    `Shannon       H ${format(summary.H)}   I ${format(summary.I)}`,
  ];
  if (summary.missingLogprobs) {
    lines.push(
      "note          the input has no log-probs: the paper IB-Score, Cov, confidence and H need them and are shown as -",
    );
  } else if (summary.usedSurprisalFallback) {
    lines.push("note          some steps had no entropies: their surprisal -log p was used for H");
  }
  if (prompts.length === 0) return `${lines.join("\n")}\n`;
  const header = [
    "prompt_id",
    "traj",
    "nodes",
    "branch",
    "IB-Score",
    "Cov",
    "conf",
    "H",
    "I",
    "root IB",
    "avg",
    "effective",
  ];
  const rows = prompts
    .slice(0, limit)
    .map((p) => [
      p.prompt_id,
      String(p.trajectories),
      String(p.nodes),
      String(p.branching_nodes),
      format(p.ib_score),
      format(p.cov),
      format(p.confidence),
      format(p.H),
      format(p.I),
      format(p.root?.ib_score ?? null),
      format(p.avg_rate, 2),
      p.effective ? "yes" : "no",
    ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const render = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] as number))
      .join("  ")
      .trimEnd();
  lines.push("", render(header), render(widths.map((width) => "-".repeat(width))), ...rows.map(render));
  if (totalPrompts > rows.length) {
    lines.push(`... ${totalPrompts - rows.length} more prompts (--limit N shows more, --json shows all)`);
  }
  return `${lines.join("\n")}\n`;
}
