import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { summaryToJson } from "./analyze-lines.js";
import { BatchAccumulator } from "./batch-summary.js";
import { buildPrefixTree } from "./prefix-tree.js";
import { promptReport } from "./rollout-analyzer.js";
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

/** Runs the page's script against a minimal DOM: elements by id, innerHTML, textContent and change events. */
function runPage(html: string) {
  const data = /<script type="application\/json" id="data">([\s\S]*?)<\/script>/.exec(html)?.[1] as string;
  const script = /<script>([\s\S]*?)<\/script>\s*<\/body>/.exec(html)?.[1] as string;
  const elements: Record<string, { innerHTML: string; textContent: string; value: string; listeners: (() => void)[] }> =
    {};
  const document = {
    getElementById(id: string) {
      elements[id] ??= { innerHTML: "", textContent: id === "data" ? data : "", value: "0", listeners: [] };
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
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    const data = JSON.parse(/id="data">([\s\S]*?)<\/script>/.exec(html)?.[1] as string);
    expect(data.prompts).toHaveLength(2);
    expect(data.prompts[0].text).toEqual(["q0</script><b>", "first\n", "right", "wrong", "other"]);
    expect(data.prompts[0].trajectories).toEqual([3, 2, 1, 1, 1]);
    expect(data.prompts[1].value[4]).toBe(1);
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
