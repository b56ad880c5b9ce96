// The tree viewer with 1,000 prompts in headless Chromium: time to first render (navigation start
// to the first tree drawn and laid out) and time to switch prompts (pick, redraw, layout), beside
// floors measured in the same run: the first render of a one-prompt page and the switches of a
// two-prompt page (the same trees, so what is left is the cost of the prompt count).
// Run: pnpm --filter @ibtpo/ib-score bench:viewer   (needs /usr/bin/chromium)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  BatchAccumulator,
  promptReport,
  scoreTree,
  summaryToJson,
  treeViewerHtml,
  viewerPrompt,
} from "../src/index.js";
import { randomTree } from "./random-tree.js";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const NODES_PER_TREE = 150;
const SWITCHES = 40;
/** Page loads per page; the figures are medians over them (the machine is shared). */
const LOADS = 5;

/** A viewer page of `prompts` random trees shaped like sampled ones. */
function page(prompts: number): string {
  const batch = new BatchAccumulator();
  const viewer = Array.from({ length: prompts }, (_, index) => {
    const tree = randomTree(NODES_PER_TREE, index + 1, "sampled");
    const score = scoreTree(tree);
    batch.add(score);
    return viewerPrompt(tree, score, promptReport(score));
  });
  return treeViewerHtml(summaryToJson(batch.summary(), "tokens"), viewer);
}

// Runs after the page's own script: the first tree is drawn by then. Forcing layout before each
// reading makes the times include style and layout, not only the script.
const PROBE = `<script>(() => {
const layout = () => document.getElementById("tree").getBoundingClientRect().height + document.body.offsetHeight;
layout();
const firstRender = performance.now();
const picker = document.getElementById("picker");
const count = picker.options.length;
const switches = [];
let drawn = 0;
for (let k = 0; k < ${SWITCHES}; k++) {
  const index = (k * 7919 + 13) % count;
  const start = performance.now();
  picker.value = String(index);
  picker.dispatchEvent(new Event("change"));
  layout();
  switches.push(performance.now() - start);
  if (document.getElementById("prompt").textContent.startsWith(picker.options[index].textContent.split(" ")[0])) drawn++;
}
document.body.setAttribute("data-probe", JSON.stringify({ firstRender, switches, drawn, options: count,
  circles: document.querySelectorAll("#tree circle").length }));
})();</script>`;

interface Probe {
  readonly firstRender: number;
  readonly switches: number[];
  readonly drawn: number;
  readonly options: number;
  readonly circles: number;
}

function measure(html: string, work: string, name: string): Probe {
  const path = join(work, `${name}.html`);
  writeFileSync(path, html.replace("</body>", `${PROBE}</body>`));
  const output = execFileSync(
    CHROMIUM,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      `--user-data-dir=${join(work, `profile-${name}`)}`,
      "--dump-dom",
      pathToFileURL(path).href,
    ],
    { encoding: "utf8", maxBuffer: 512 * 1024 * 1024, timeout: 120_000, stdio: ["ignore", "pipe", "ignore"] },
  );
  const match = /data-probe="([^"]*)"/.exec(output);
  if (match === null) throw new Error(`${name}: the probe did not run`);
  const probe = JSON.parse((match[1] as string).replace(/&quot;/g, '"').replace(/&amp;/g, "&")) as Probe;
  return probe;
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const ms = (value: number) => `${value.toFixed(1)} ms`;

const work = mkdtempSync(join(tmpdir(), "viewer-bench-"));
try {
  const cpu =
    readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? cpus()[0]?.model ?? "unknown";
  console.log(
    `machine: ${cpu} x${cpus().length}; load average ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`,
  );
  const big = page(1000);
  console.log(
    `page: 1000 prompts of ${NODES_PER_TREE}-step trees, ${(big.length / 1024 / 1024).toFixed(1)} MiB; medians over ${LOADS} loads of each page`,
  );
  // Interleaved loads, so a burst of load on the machine hits every page alike.
  const pages = { one: page(1), two: page(2), thousand: big };
  const loads: Record<keyof typeof pages, Probe[]> = { one: [], two: [], thousand: [] };
  for (let load = 0; load < LOADS; load++) {
    for (const name of Object.keys(pages) as (keyof typeof pages)[]) loads[name].push(measure(pages[name], work, name));
  }
  const summary = (probes: Probe[]): Probe => ({
    firstRender: median(probes.map((probe) => probe.firstRender)),
    switches: probes.flatMap((probe) => probe.switches),
    drawn: Math.min(...probes.map((probe) => probe.drawn)),
    options: probes[0]?.options ?? 0,
    circles: probes[0]?.circles ?? 0,
  });
  const [floor, pair, many] = [summary(loads.one), summary(loads.two), summary(loads.thousand)];
  console.log(
    `first render: 1 prompt ${ms(floor.firstRender)}, 1000 prompts ${ms(many.firstRender)} (ratio ${(many.firstRender / floor.firstRender).toFixed(2)})`,
  );
  console.log(
    `switch prompt (${SWITCHES} picks per load): 2 prompts median ${ms(median(pair.switches))}, 1000 prompts median ${ms(median(many.switches))} (ratio ${(median(many.switches) / median(pair.switches)).toFixed(2)}), max ${ms(Math.max(...many.switches))}; every load drew at least ${many.drawn}/${SWITCHES} picked prompts; ${many.options} options`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
