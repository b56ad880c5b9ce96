import { existsSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunFolder, runFolderPath, stepTreeFiles, writeRunFolder } from "../comparison/run-folder.js";
import { syntheticRunResult } from "../comparison/synthetic-run.js";
import { renderReport } from "./write-report.js";

/** The targets of every link of a page, as files relative to the page. */
function linkTargets(html: string, page: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((match) =>
    join(dirname(page), decodeURIComponent((match[1] as string).replace(/&#38;/g, "&"))),
  );
}

describe("the report's links to saved trees", () => {
  it("links each run's tree-viewer pages from the run's row, and every link resolves", {
    timeout: 60_000,
  }, async () => {
    const root = await mkdtemp(join(tmpdir(), "report-trees-"));
    const saved: Record<string, number[]> = { grpo: [2, 5], "ib-tpo": [] };
    const pages: string[] = [];
    for (const algorithm of ["grpo", "ib-tpo"]) {
      const identity = { algorithm, task: "countdown", seed: 1 };
      const directory = runFolderPath(join(root, "a folder & more"), identity);
      await writeRunFolder(directory, {
        ...syntheticRunResult({ ...identity, tokenBudget: 2_000 }, 5),
        config: identity,
      });
      for (const step of saved[algorithm] as number[]) {
        await new RunFolder(directory).writeStepTrees(step, "{}\n", `<p>step ${step}</p>`);
        pages.push(join(directory, stepTreeFiles(step).viewer));
      }
    }
    for (const reportFolder of [
      join(root, "a folder & more"),
      runFolderPath(join(root, "a folder & more"), { algorithm: "grpo", task: "countdown", seed: 1 }),
    ]) {
      const [, , htmlPath] = await renderReport(reportFolder);
      const html = await readFile(htmlPath as string, "utf8");
      const targets = linkTargets(html, htmlPath as string);
      expect(targets.filter((target) => !existsSync(target))).toEqual([]);
      expect(targets.sort()).toEqual(pages.sort());
      expect(html).toContain("<summary>2 step(s)</summary>");
    }
  });
});
