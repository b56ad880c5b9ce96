import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { summaryToJson } from "./analyze-lines.js";
import { BatchAccumulator } from "./batch-summary.js";
import { buildPrefixTree } from "./prefix-tree.js";
import { type PromptReport, promptReport } from "./rollout-analyzer.js";
import { scoreTree } from "./score-tree.js";
import { treeViewerHtml, viewerPrompt } from "./tree-viewer.js";

function page(prompts: number): string {
  const batch = new BatchAccumulator();
  const viewer = Array.from({ length: prompts }, (_, p) => {
    const tree = buildPrefixTree(`q${p}</script><b>`, [
      { tokens: [1, 2], logprobs: [-0.1, -0.2], stepEnds: [1, 2], reward: 1 },
      { tokens: [1, 3], logprobs: [-0.1, -0.9], stepEnds: [1, 2], reward: 0 },
      { tokens: [4], logprobs: [-2], stepEnds: [1], reward: p % 2 },
    ]);
    const score = scoreTree(tree);
    batch.add(score);
    const texts = ["", "first\n", "right", "wrong", "other"];
    return viewerPrompt(tree, score, promptReport(score), (id) => texts[id]);
  });
  return treeViewerHtml(summaryToJson(batch.summary(), "tokens"), viewer);
}

/** The page's data elements by id: the summary and reports ("data") and each tree ("tree-N"). */
function dataElements(html: string): Map<string, string> {
  return new Map(
    [...html.matchAll(/<script type="application\/json" id="([^"]+)">([\s\S]*?)<\/script>/g)].map(
      (match) => [match[1] as string, match[2] as string] as const,
    ),
  );
}

/** Runs the page's script against a minimal DOM: elements by id, innerHTML, textContent and change events. */
function runPage(html: string) {
  const data = dataElements(html);
  const script = /<script>([\s\S]*?)<\/script>\s*<\/body>/.exec(html)?.[1] as string;
  const elements: Record<string, { innerHTML: string; textContent: string; value: string; listeners: (() => void)[] }> =
    {};
  const document = {
    getElementById(id: string) {
      elements[id] ??= { innerHTML: "", textContent: data.get(id) ?? "", value: "0", listeners: [] };
      const element = elements[id];
      return Object.assign(element, {
        addEventListener: (_event: string, listener: () => void) => element.listeners.push(listener),
      });
    },
  };
  runInNewContext(script, { document });
  return elements;
}

describe("tree viewer page", () => {
  it("is self-contained and carries every tree's nodes, with step text that cannot break out", () => {
    const html = page(2);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    // The data element, one per tree, and the script: no step text adds a closing tag.
    expect(html.match(/<\/script>/g)).toHaveLength(4);
    const data = dataElements(html);
    expect(JSON.parse(data.get("data") as string).reports.map((report: PromptReport) => report.prompt_id)).toEqual([
      "q0</script><b>",
      "q1</script><b>",
    ]);
    const first = JSON.parse(data.get("tree-0") as string);
    expect(first.text).toEqual(["q0</script><b>", "first\n", "right", "wrong", "other"]);
    expect(first.trajectories).toEqual([3, 2, 1, 1, 1]);
    expect(JSON.parse(data.get("tree-1") as string).value[4]).toBe(1);
  });

  it("draws the picked prompt's tree (one circle per node) and redraws on a pick, with 1,000 prompts", () => {
    const elements = runPage(page(1000));
    expect(elements.picker?.innerHTML.match(/<option/g)).toHaveLength(1000);
    expect(elements.tree?.innerHTML.match(/<circle/g)).toHaveLength(5);
    expect(elements.tree?.innerHTML).toContain("step: first");
    expect(elements.summary?.innerHTML).toContain("eff_rate");
    expect(elements.prompt?.textContent).toMatch(/^q0<\/script><b>: 3 trajectories/);
    const picker = elements.picker as { value: string; listeners: (() => void)[] };
    picker.value = "999";
    for (const listener of picker.listeners) listener();
    expect(elements.prompt?.textContent).toMatch(/^q999/);
    expect(elements.tree?.innerHTML).toContain("&lt;/script&gt;");
  });

  const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => existsSync(path));
  it.skipIf(chromium === undefined)("renders in headless Chromium", () => {
    const directory = mkdtempSync(join(tmpdir(), "ib-score-viewer-"));
    const path = join(directory, "tree.html");
    writeFileSync(path, page(1000));
    const browser = spawnSync(
      chromium as string,
      ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--dump-dom", `file://${path}`],
      { encoding: "utf8", timeout: 60_000 },
    );
    const dom = browser.stdout;
    // A script error is logged as an uncaught console error.
    expect(browser.stderr).not.toMatch(/Uncaught|CONSOLE\(\d+\)\] "?Error/);
    // The page script holds the markup too, with escaped quotes: count the drawn nodes only.
    expect(dom.match(/<circle class="node"/g)).toHaveLength(5);
    expect(dom.match(/<option value="\d+">/g)).toHaveLength(1000);
    // A pick in the browser parses and draws that prompt's tree.
    const picked = join(directory, "picked.html");
    const pick = `<script>const p = document.getElementById("picker"); p.value = "999"; p.dispatchEvent(new Event("change"));</script>`;
    writeFileSync(picked, page(1000).replace("</body>", `${pick}</body>`));
    const afterPick = spawnSync(
      chromium as string,
      ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--dump-dom", `file://${picked}`],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(afterPick.stderr).not.toMatch(/Uncaught|CONSOLE\(\d+\)\] "?Error/);
    expect(afterPick.stdout).toMatch(/<p id="prompt">q999&lt;\/script&gt;&lt;b&gt;: 3 trajectories/);
    expect(afterPick.stdout.match(/<circle class="node"/g)).toHaveLength(5);
    execFileSync(
      chromium as string,
      ["--headless", "--no-sandbox", "--disable-gpu", `--screenshot=${join(directory, "tree.png")}`, `file://${path}`],
      {
        timeout: 60_000,
      },
    );
    expect(readFileSync(join(directory, "tree.png")).length).toBeGreaterThan(1000);
  });
});
