import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runComparison } from "../comparison/run-comparison.js";
import { syntheticRunResult } from "../comparison/synthetic-run.js";
import { checkReportInChromium, DEFAULT_CHROMIUM_PATH } from "./chromium-check.js";

const hasChromium = existsSync(DEFAULT_CHROMIUM_PATH);
if (!hasChromium) {
  console.log(
    `skipping the headless Chromium report check: ${DEFAULT_CHROMIUM_PATH} is absent (apt-get install -y chromium)`,
  );
}

describe.skipIf(!hasChromium)("report in headless Chromium", () => {
  it("draws every chart", { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "report-chromium-"));
    await runComparison({
      algorithms: ["grpo", "ib-tpo"],
      seeds: [1, 2],
      tasks: ["countdown"],
      tokenBudget: 10_000,
      outputDir: dir,
      title: "Synthetic demo data (not results)",
      run: async (spec) => syntheticRunResult(spec, 12),
    });
    const check = await checkReportInChromium(join(dir, "report.html"), { width: 1280 });
    expect(check.svgElements).toBeGreaterThanOrEqual(7);
    expect(check.plots.map((plot) => plot.id)).toEqual([
      "accuracy-vs-tokens",
      "validation-vs-tokens",
      "balance",
      "ib-parts",
      "trajectories-per-1k",
      "test-pass-1",
      "test-pass-k",
      "paired-difference",
    ]);
    expect(check.scrollWidth, "no horizontal overflow at 1280 px").toBeLessThanOrEqual(check.viewportWidth);
    for (const plot of check.plots) {
      expect(plot.hasSvg, plot.id).toBe(true);
      expect(plot.colouredPixels, plot.id).toBeGreaterThan(200);
    }
    expect(check.colouredPixelsOutsidePlots).toBeLessThan(50);

    // Control: the same page with its charts' SVG removed shows no coloured ink where they were.
    const html = await readFile(join(dir, "report.html"), "utf8");
    const blank = join(dir, "blank.html");
    await writeFile(blank, html.replace(/<svg[\s\S]*?<\/svg>/g, '<div style="width:300px;height:200px"></div>'));
    const control = await checkReportInChromium(blank);
    expect(control.svgElements).toBe(0);
    expect(control.plots.every((plot) => plot.colouredPixels === 0)).toBe(true);
  });
});
