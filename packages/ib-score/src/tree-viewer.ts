import type { ReasoningTree } from "./reasoning-tree.js";
import type { PromptReport } from "./rollout-analyzer.js";
import type { TreeScore } from "./score-tree.js";

/** One prompt's tree as the viewer draws it: per-node arrays indexed by node id (0 = the prompt). */
export interface ViewerPrompt {
  readonly report: PromptReport;
  readonly parent: number[];
  readonly trajectories: number[];
  /** Raw value correct / traj. */
  readonly value: number[];
  readonly ibScore: (number | null)[];
  readonly cov: (number | null)[];
  readonly confidence: (number | null)[];
  /** The step's text where the format has it, else its token ids. */
  readonly text: string[];
}

const orNull = (value: number) => (Number.isNaN(value) ? null : value);

/**
 * The viewer's data of one scored tree. `textOf` maps a token id to its text (openai and text
 * formats); without it a step shows its token ids.
 */
export function viewerPrompt(
  tree: ReasoningTree,
  score: TreeScore,
  report: PromptReport,
  textOf?: (token: number) => string | undefined,
): ViewerPrompt {
  const prompt: ViewerPrompt = {
    report,
    parent: [],
    trajectories: [],
    value: [],
    ibScore: [],
    cov: [],
    confidence: [],
    text: [],
  };
  for (let node = 0; node < tree.size; node++) {
    const trajectories = tree.trajectoryCount(node);
    prompt.parent.push(tree.parent(node));
    prompt.trajectories.push(trajectories);
    prompt.value.push(trajectories > 0 ? tree.rewardSum(node) / trajectories : 0);
    prompt.ibScore.push(orNull(score.nodeIbScore[node] as number));
    prompt.cov.push(orNull(score.nodeCov[node] as number));
    prompt.confidence.push(orNull(score.nodeConfidence[node] as number));
    if (node === tree.root) {
      prompt.text.push(tree.promptId);
      continue;
    }
    const tokens = Array.from(tree.tokens(node));
    const texts = textOf === undefined ? [] : tokens.map(textOf);
    prompt.text.push(
      texts.length > 0 && texts.every((text) => text !== undefined) ? texts.join("") : `[${tokens.join(", ")}]`,
    );
  }
  return prompt;
}

// The page's script: parses and draws only the picked prompt's tree, so a file of thousands of
// prompts opens and switches quickly (the bench viewer-chromium.ts measures both).
const SCRIPT = String.raw`
const data = JSON.parse(document.getElementById("data").textContent);
const treeOf = (index) => JSON.parse(document.getElementById("tree-" + index).textContent);
const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const fmt = (x, d = 4) => (x === null || x === undefined ? "-" : Number(x).toFixed(d));
const picker = document.getElementById("picker");
const summaryRows = Object.entries(data.summary).map(([k, v]) => "<tr><th>" + escape(k) + "</th><td>" + escape(typeof v === "number" && !Number.isInteger(v) ? fmt(v) : v) + "</td></tr>");
document.getElementById("summary").innerHTML = summaryRows.join("");
picker.innerHTML = data.reports.map((r, i) => "<option value=\"" + i + "\">" + escape(r.prompt_id) + " (" + r.trajectories + " trajectories, IB-Score " + fmt(r.ib_score) + ")</option>").join("");
function draw(index) {
  const p = treeOf(index);
  const n = p.parent.length;
  const children = Array.from({ length: n }, () => []);
  for (let i = 1; i < n; i++) children[p.parent[i]].push(i);
  const x = new Array(n).fill(0);
  const depth = new Array(n).fill(0);
  let leaves = 0;
  const order = [0];
  const stack = [0];
  while (stack.length > 0) {
    const node = stack.pop();
    for (let k = children[node].length - 1; k >= 0; k--) {
      const c = children[node][k];
      depth[c] = depth[node] + 1;
      stack.push(c);
      order.push(c);
    }
  }
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    const cs = children[node];
    x[node] = cs.length === 0 ? leaves++ : (x[cs[0]] + x[cs[cs.length - 1]]) / 2;
  }
  const maxDepth = Math.max(...depth);
  const dx = 48, dy = 70, pad = 30;
  const width = Math.max(1, leaves) * dx + 2 * pad, height = (maxDepth + 1) * dy + 2 * pad;
  const px = (i) => pad + x[i] * dx + dx / 2, py = (i) => pad + depth[i] * dy;
  const radius = (i) => 3 + 3 * Math.sqrt(p.trajectories[i]);
  const colour = (v) => "hsl(" + Math.round(120 * v) + ", 70%, 45%)";
  const parts = [];
  for (let i = 1; i < n; i++) parts.push("<line x1=\"" + px(p.parent[i]) + "\" y1=\"" + py(p.parent[i]) + "\" x2=\"" + px(i) + "\" y2=\"" + py(i) + "\" stroke=\"#999\"/>");
  for (let i = 0; i < n; i++) {
    const tip = (i === 0 ? "prompt " : "step: ") + p.text[i] + "\ntrajectories " + p.trajectories[i] + ", value " + fmt(p.value[i], 3) + "\nIB-Score " + fmt(p.ibScore[i]) + ", Cov " + fmt(p.cov[i]) + ", confidence " + fmt(p.confidence[i]);
    parts.push("<circle class=\"node\" cx=\"" + px(i) + "\" cy=\"" + py(i) + "\" r=\"" + radius(i) + "\" fill=\"" + colour(p.value[i]) + "\"><title>" + escape(tip) + "</title></circle>");
  }
  document.getElementById("tree").innerHTML = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height + "\">" + parts.join("") + "</svg>";
  const r = data.reports[index];
  document.getElementById("prompt").textContent = r.prompt_id + ": " + r.trajectories + " trajectories, " + r.nodes + " steps, IB-Score " + fmt(r.ib_score) + ", Cov " + fmt(r.cov) + ", confidence " + fmt(r.confidence) + ", H " + fmt(r.H) + ", I " + fmt(r.I) + ", Avg-Rate " + fmt(r.avg_rate, 2) + (r.effective ? "" : " (no reward variance)");
}
picker.addEventListener("change", () => draw(Number(picker.value)));
if (data.reports.length > 0) draw(0);
`;

/**
 * JSON for a data element of the page: "<" escaped so no step text can close the element, and
 * numbers kept to 6 decimals (the page shows at most 4), which shrinks a large page by about a
 * quarter and the time to open it with it.
 */
function pageJson(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    typeof item === "number" && !Number.isInteger(item) ? Math.round(item * 1e6) / 1e6 : item,
  ).replace(/</g, "\\u003c");
}

/**
 * A self-contained HTML page (no external resources) drawing each prompt's reasoning tree: nodes
 * sized by trajectories and coloured by value (red 0 to green 1), IB-Score, Cov, confidence and the
 * step text on hover, a prompt picker and the batch summary (`summary`: as in the JSON output).
 * Each tree is its own data element, parsed when picked.
 *
 * @example
 * writeFileSync("tree.html", treeViewerHtml(summaryToJson(analysis.summary, "tokens"), prompts));
 */
export function treeViewerHtml(summary: Readonly<Record<string, unknown>>, prompts: readonly ViewerPrompt[]): string {
  const trees = prompts
    .map(
      ({ report: _report, ...tree }, index) =>
        `<script type="application/json" id="tree-${index}">${pageJson(tree)}</script>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>IB-Score trees</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin-bottom: 1em; }
th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
#tree { overflow: auto; border: 1px solid #ddd; max-height: 75vh; contain: content; }
#picker { width: 40em; max-width: 100%; }
.node { stroke: #333; stroke-width: 0.5; }
</style>
</head>
<body>
<h1>IB-Score trees</h1>
<table id="summary"></table>
<label>Prompt <select id="picker"></select></label>
<p id="prompt"></p>
<p>Node size: trajectories through the step. Colour: value (red 0, green 1). Hover a node for its step, IB-Score, Cov and confidence.</p>
<div id="tree"></div>
<script type="application/json" id="data">${pageJson({ summary, reports: prompts.map((prompt) => prompt.report) })}</script>
${trees}
<script>${SCRIPT}</script>
</body>
</html>
`;
}
