import { renderReport } from "@ibtpo/bench-harness";
import { Command } from "commander";

export function reportCommand(): Command {
  return new Command("report")
    .description("Write results.json, results.md and a self-contained report.html for a run or a folder of runs")
    .argument("<dir>", "a run folder, or a folder with run folders below it (e.g. a compare output)")
    .option("--title <text>", "report title")
    .addHelpText(
      "after",
      `
The run table links each run's saved trees (trees/step-N.html, written by ibtpo train every
treesEvery steps): one tree-viewer page per saved step.

Examples:
  ibtpo report runs/countdown/ib-tpo/seed-1
  ibtpo report runs/compare-countdown --title "IB-TPO vs GRPO"`,
    )
    .action(async (dir: string, flags: { title?: string }) => {
      const files = await renderReport(dir, flags.title === undefined ? {} : { title: flags.title });
      for (const file of files) console.log(file);
    });
}
