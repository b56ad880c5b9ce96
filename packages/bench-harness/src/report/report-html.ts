import { relative, sep } from "node:path";
import { type StoredRun, stepTreeFiles } from "../comparison/run-folder.js";
import type { SummaryRow } from "../comparison/summarize-runs.js";
import { formatInterval, summaryColumns } from "./summary-table.js";

/** A rendered chart: caption and inline SVG (null when the runs have no data for it). */
export interface RenderedChart {
  readonly id: string;
  readonly caption: string;
  readonly svg: string | null;
}

export interface ReportSection {
  readonly task: string;
  readonly charts: readonly RenderedChart[];
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

// Nothing may be wider than the window: charts shrink, wide tables scroll in their own box.
const STYLE = `body{font-family:system-ui,sans-serif;margin:24px;color:#222;background:#fff;max-width:1500px;overflow-wrap:anywhere}
th{overflow-wrap:normal}.scroll{max-width:100%;overflow-x:auto}figure.plot svg{max-width:100%;height:auto}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child,td code{text-align:left}td code{font-size:11px}.grid{display:flex;flex-wrap:wrap;gap:16px}
figure.plot{margin:0;border:1px solid #eee;padding:6px}figcaption{font-size:12px;color:#555}
.notes{font-size:13px;color:#444}details.trees{text-align:left;max-width:40em}`;

function summaryTable(summary: readonly SummaryRow[], task: string): string {
  const columns = summaryColumns(summary);
  const rows = summary.filter((row) => row.task === task);
  const head = `<tr><th>algorithm</th><th>seeds</th>${columns.map((column) => `<th>${escapeHtml(column.label)}</th>`).join("")}</tr>`;
  const body = rows
    .map(
      (row) =>
        `<tr><td>${escapeHtml(row.algorithm)}</td><td>${row.seeds.length}</td>${columns
          .map((column) => `<td>${escapeHtml(formatInterval(row.metrics[column.key]))}</td>`)
          .join("")}</tr>`,
    )
    .join("");
  return `<div class="scroll"><table class="summary">${head}${body}</table></div>`;
}

function runSettings(run: StoredRun): string {
  const { algorithm: _algorithm, task: _task, seed: _seed, ...settings } = run.config;
  return Object.keys(settings).length === 0 ? "" : JSON.stringify(settings);
}

/** A relative link from the report's folder to a file of a run folder. */
function linkFrom(reportDirectory: string, runDirectory: string, file: string): string {
  const path = relative(reportDirectory, `${runDirectory}${sep}${file}`).split(sep).join("/");
  return path.split("/").map(encodeURIComponent).join("/");
}

/** Links to a run's saved tree-viewer pages, folded so a run of many steps keeps its row short. */
function treeLinks(run: StoredRun, reportDirectory: string): string {
  const steps = run.treeSteps ?? [];
  if (steps.length === 0 || run.directory === undefined) return "–";
  const directory = run.directory;
  const links = steps
    .map(
      (step) => `<a href="${escapeHtml(linkFrom(reportDirectory, directory, stepTreeFiles(step).viewer))}">${step}</a>`,
    )
    .join(" ");
  return `<details class="trees"><summary>${steps.length} step(s)</summary>${links}</details>`;
}

function runsTable(runs: readonly StoredRun[], reportDirectory: string): string {
  const rows = runs
    .map((run) => {
      const tokens = run.history.reduce((sum, step) => sum + step.generatedTokens, 0);
      const greedy = run.evaluation.passAt1Greedy;
      const cells = [
        escapeHtml(run.config.task),
        escapeHtml(run.config.algorithm),
        String(run.config.seed),
        String(run.history.length),
        String(tokens),
        greedy === null || greedy === undefined ? "–" : greedy.toFixed(3),
        treeLinks(run, reportDirectory),
        `<code>${escapeHtml(runSettings(run))}</code>`,
      ];
      return `<tr>${cells.map((cell) => `<td>${cell}</td>`).join("")}</tr>`;
    })
    .join("");
  const head = ["task", "algorithm", "seed", "steps", "generated tokens", "test pass@1 (greedy)", "trees", "settings"];
  return `<div class="scroll"><table class="runs"><tr>${head.map((name) => `<th>${name}</th>`).join("")}</tr>${rows}</table></div>`;
}

/**
 * The self-contained report page: summary tables, charts as inline SVG, the run list with links to
 * each run's saved tree-viewer pages (relative to `reportDirectory`, where the page is written). No
 * scripts, no external resources, so it opens offline.
 */
export function reportHtml(input: {
  readonly title: string;
  readonly reportDirectory: string;
  readonly notes: readonly string[];
  readonly summary: readonly SummaryRow[];
  readonly sections: readonly ReportSection[];
  readonly runs: readonly StoredRun[];
}): string {
  const sections = input.sections
    .map((section) => {
      const figures = section.charts
        .map(
          (chart) =>
            `<figure class="plot" data-chart="${escapeHtml(chart.id)}">${chart.svg ?? ""}<figcaption>${escapeHtml(chart.caption)}</figcaption></figure>`,
        )
        .join("\n");
      return `<section data-task="${escapeHtml(section.task)}"><h2>${escapeHtml(section.task)}</h2>${summaryTable(input.summary, section.task)}<div class="grid">\n${figures}\n</div></section>`;
    })
    .join("\n");
  const notes = input.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(input.title)}</h1><ul class="notes">${notes}</ul>
${sections}
<h2>Runs</h2>${runsTable(input.runs, input.reportDirectory)}
</body></html>
`;
}
