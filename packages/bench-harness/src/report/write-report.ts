import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../comparison/atomic-write.js";
import { type PairedDifference, pairedDifferences } from "../comparison/paired-difference.js";
import { isRunFolder, readRunFolder, type StoredRun } from "../comparison/run-folder.js";
import { type SummaryRow, summarizeRuns } from "../comparison/summarize-runs.js";
import { BenchHarnessError } from "../errors.js";
import { chartRows } from "./chart-rows.js";
import {
  balanceChartSpec,
  type CurveStyle,
  DEFAULT_CURVE_STYLE,
  intervalChartSpec,
  lineChartSpec,
  pairedDifferenceChartSpec,
  type VegaLiteSpec,
} from "./chart-specs.js";
import { renderSvg } from "./render-svg.js";
import { type RenderedChart, type ReportSection, reportHtml } from "./report-html.js";
import { summaryMarkdown } from "./summary-table.js";

/** The three report files of a run or comparison folder. */
export const REPORT_FILES = { json: "results.json", markdown: "results.md", html: "report.html" } as const;

export interface ReportOptions {
  readonly title?: string;
  /** Trailing-mean window of the training curves in steps; 0 draws every run raw. Default 5. */
  readonly smoothing?: number;
  /** The algorithm every other is paired against, seed by seed. Default "grpo" (when present). */
  readonly baseline?: string;
}

/** The training metrics drawn side by side as the balance chart, with their titles. */
export const BALANCE_METRICS = [
  ["ibScore", "IB-Score J"],
  ["ibCov", "Cov(eta1, eta2)"],
  ["effRate", "Eff-Rate"],
  ["avgRate", "Avg-Rate"],
] as const;

/** The parts the IB-Score is read with, drawn side by side below the balance chart. */
export const IB_PART_METRICS = [
  ["ibConfidence", "confidence"],
  ["ibH", "H (step diversity)"],
  ["ibI", "I (information on the answer)"],
  ["entropy", "token entropy"],
] as const;

/** The test metric of the paired-difference chart and table: mean@k, the paper's avg@k. */
const PAIRED_METRIC = { key: "meanAtK", title: "mean@k" } as const;

/**
 * Finds the runs in a folder: the folder itself when it is a run folder (has metrics.jsonl),
 * else every run folder below it (in sorted path order, up to 6 levels deep).
 */
export async function loadRuns(dir: string): Promise<StoredRun[]> {
  if (isRunFolder(dir)) return [await readRunFolder(dir)];
  const found: StoredRun[] = [];
  const walk = async (at: string, depth: number): Promise<void> => {
    const entries = (await readdir(at, { withFileTypes: true })).filter((entry) => entry.isDirectory());
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(at, entry.name);
      if (isRunFolder(path)) found.push(await readRunFolder(path));
      else if (depth < 6) await walk(path, depth + 1);
    }
  };
  await walk(dir, 1);
  if (found.length === 0)
    throw new BenchHarnessError(
      `no run folders found (a run folder holds metrics.jsonl, eval.json and config.json)`,
      dir,
    );
  return found;
}

async function chart(id: string, caption: string, spec: VegaLiteSpec | null): Promise<RenderedChart> {
  return { id, caption, svg: spec === null ? null : await renderSvg(spec) };
}

async function taskSection(
  task: string,
  runs: readonly StoredRun[],
  summary: readonly SummaryRow[],
  differences: readonly PairedDifference[],
  style: CurveStyle,
): Promise<ReportSection> {
  const taskRuns = runs.filter((run) => run.config.task === task);
  const algorithms = [...new Set(runs.map((run) => run.config.algorithm))];
  const rows = chartRows(taskRuns);
  const taskSummary = summary.filter((row) => row.task === task);
  const largestK = Math.max(...taskRuns.flatMap((run) => Object.keys(run.evaluation.passAtK).map(Number)));
  const line = (metric: string, metricTitle: string, title: string, x: "step" | "tokens") =>
    lineChartSpec(rows, algorithms, { title, metric, metricTitle, x }, style);
  const charts = await Promise.all([
    chart(
      "accuracy-vs-tokens",
      "Training accuracy against generated tokens",
      line("accuracy", "accuracy", "Accuracy vs generated tokens", "tokens"),
    ),
    chart(
      "validation-vs-tokens",
      "Validation pass@1 against generated tokens (steps where the trainer evaluated)",
      line("validationAccuracy", "validation pass@1", "Validation pass@1 vs generated tokens", "tokens"),
    ),
    chart(
      "balance",
      "IB-Score J, Cov(eta1, eta2), Eff-Rate (share of prompts with reward variance) and Avg-Rate (mean reward) over training",
      balanceChartSpec(rows, algorithms, BALANCE_METRICS, style),
    ),
    chart(
      "ib-parts",
      "What explains the IB-Score: mean confidence of the sampled steps (paper form), H and I (Shannon form), token entropy",
      balanceChartSpec(
        rows,
        algorithms,
        IB_PART_METRICS,
        style,
        "IB-Score parts over training (mean over seeds, 95% band)",
      ),
    ),
    chart(
      "trajectories-per-1k",
      "Trajectories per 1k generated tokens",
      line("trajectoriesPer1kTokens", "trajectories / 1k tokens", "Trajectories per 1k tokens", "step"),
    ),
    chart(
      "test-pass-1",
      "Test pass@1 (greedy) by algorithm",
      intervalChartSpec(taskSummary, algorithms, "passAt1Greedy", "pass@1 (greedy)"),
    ),
    chart(
      "test-pass-k",
      `Test pass@${largestK} by algorithm`,
      Number.isFinite(largestK)
        ? intervalChartSpec(taskSummary, algorithms, `pass@${largestK}`, `pass@${largestK}`)
        : null,
    ),
    chart(
      "paired-difference",
      `Test ${PAIRED_METRIC.title} of each algorithm minus ${differences[0]?.baseline ?? "the baseline"}, paired by seed`,
      pairedDifferenceChartSpec(
        differences.filter((row) => row.task === task),
        algorithms,
        PAIRED_METRIC.title,
      ),
    ),
  ]);
  // A chart the runs have no data for is left out rather than drawn empty.
  return { task, charts: charts.filter((rendered) => rendered.svg !== null) };
}

function reportNotes(runs: readonly StoredRun[]): string[] {
  const budgets = [...new Set(runs.map((run) => run.config.tokenBudget).filter((budget) => budget !== undefined))];
  const seeds = new Set(runs.map((run) => run.config.seed)).size;
  return [
    `${runs.length} run(s): ${new Set(runs.map((run) => run.config.algorithm)).size} algorithm(s) x ${seeds} seed(s) x ${new Set(runs.map((run) => run.config.task)).size} task(s).`,
    budgets.length > 0 ? `Generated-token budget per run: ${budgets.join(", ")}.` : "No token budget recorded.",
    "Test metrics: mean ± half-width of the 95% confidence interval over seeds (Student's t, n - 1 degrees of freedom).",
  ];
}

/**
 * Writes results.json, results.md and report.html (each atomically) for the given runs into
 * `dir`, and returns their paths.
 */
export async function writeReportFiles(
  dir: string,
  runs: readonly StoredRun[],
  options: ReportOptions = {},
): Promise<string[]> {
  const title =
    options.title ?? (runs.length === 1 ? `Run ${runs[0]?.config.algorithm} on ${runs[0]?.config.task}` : "Comparison");
  const summary = summarizeRuns(runs);
  const notes = reportNotes(runs);
  const style: CurveStyle = { smoothing: options.smoothing ?? DEFAULT_CURVE_STYLE.smoothing };
  const algorithms = new Set(runs.map((run) => run.config.algorithm));
  const baseline = options.baseline ?? "grpo";
  const differences =
    algorithms.has(baseline) && algorithms.size > 1 ? pairedDifferences(runs, baseline, PAIRED_METRIC.key) : [];
  const sections: ReportSection[] = [];
  for (const task of [...new Set(runs.map((run) => run.config.task))])
    sections.push(await taskSection(task, runs, summary, differences, style));
  const json = {
    title,
    runs: runs.map((run) => ({
      config: run.config,
      steps: run.history.length,
      generatedTokens: run.history.reduce((sum, step) => sum + step.generatedTokens, 0),
      evaluation: run.evaluation,
    })),
    summary,
    pairedDifferences: differences,
  };
  const paths = [join(dir, REPORT_FILES.json), join(dir, REPORT_FILES.markdown), join(dir, REPORT_FILES.html)] as const;
  await writeFileAtomic(paths[0], `${JSON.stringify(json, null, 2)}\n`);
  await writeFileAtomic(paths[1], summaryMarkdown(summary, title, notes, differences));
  await writeFileAtomic(paths[2], reportHtml({ title, reportDirectory: dir, notes, summary, sections, runs }));
  return [...paths];
}

/**
 * Renders the report of a run folder or of a folder of runs (what `ibtpo report <dir>` calls).
 *
 * @example
 * const [json, markdown, html] = await renderReport("runs/cmp-1");
 */
export async function renderReport(dir: string, options: ReportOptions = {}): Promise<string[]> {
  return writeReportFiles(dir, await loadRuns(dir), options);
}
