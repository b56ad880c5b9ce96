// Renders a report in headless Chromium, takes a full-page screenshot and checks that every
// chart drew (coloured pixels inside each chart's box). Usage:
//   node scripts/check-report-chromium.mjs [report.html | run-or-comparison-dir]
// Without an argument it builds a comparison from synthetic curves in a temporary folder.
import { existsSync, statSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderReport, runComparison, syntheticRunResult } from "../dist/index.js";
import { checkReportInChromium } from "../dist/testing.js";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  console.error(`${chromium} not found: install it with "apt-get install -y chromium" or set CHROMIUM_PATH`);
  process.exit(2);
}

let htmlPath = process.argv[2];
if (htmlPath === undefined) {
  const dir = await mkdtemp(join(tmpdir(), "report-demo-"));
  await runComparison({
    algorithms: ["grpo", "dapo", "ib-tpo"],
    seeds: [1, 2, 3],
    tasks: ["countdown", "graph-path"],
    tokenBudget: 50_000,
    outputDir: dir,
    title: "Synthetic demo data (not results)",
    run: async (spec) => syntheticRunResult(spec),
  });
  htmlPath = join(dir, "report.html");
} else if (statSync(htmlPath).isDirectory()) {
  htmlPath = (await renderReport(htmlPath))[2];
}

const check = await checkReportInChromium(htmlPath, { chromiumPath: chromium });
console.log(`report: ${htmlPath}`);
console.log(`screenshot: ${check.screenshotPath} (${check.width}x${check.height})`);
console.log(`svg elements in the DOM: ${check.svgElements}`);
// A chart the runs have no data for is shown as an empty box: listed, not failed.
let failed = 0;
let drawn = 0;
for (const plot of check.plots) {
  const inked = plot.colouredPixels > 200;
  if (plot.hasSvg && inked) drawn++;
  if (plot.hasSvg && !inked) failed++;
  const status = plot.hasSvg ? (inked ? "ok  " : "FAIL") : "none";
  const name = `${plot.task}/${plot.id}`.padEnd(36);
  console.log(
    `${status} ${name} coloured pixels ${String(plot.colouredPixels).padStart(7)}${plot.hasSvg ? "" : " (no data)"}`,
  );
}
console.log(`coloured pixels outside charts: ${check.colouredPixelsOutsidePlots}`);
process.exit(failed === 0 && drawn > 0 ? 0 : 1);
