// Prints the ablation table (Markdown) from the results.json of each variant folder written by
// experiments/run-ablations.sh. Usage: node experiments/ablation-table.mjs runs/ablations
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = process.argv[2] ?? "runs/ablations";
const metrics = [
  ["passAt1Greedy", "pass@1 (greedy)"],
  ["pass@1", "pass@1"],
  ["pass@8", "pass@8"],
  ["testIbScore", "IB-Score of samples"],
  ["trajectoriesPer1kTokens", "traj. / 1k tokens"],
];
const cell = (value) => (value === undefined ? "-" : `${value.mean.toFixed(3)} ± ${value.halfWidth.toFixed(3)}`);
const variants = readdirSync(root)
  .filter((name) => existsSync(join(root, name, "results.json")))
  .sort((a, b) => (a === "default" ? -1 : b === "default" ? 1 : a.localeCompare(b)));
console.log(`| variant | ${metrics.map(([, label]) => label).join(" | ")} |`);
console.log(`| --- | ${metrics.map(() => "---").join(" | ")} |`);
for (const variant of variants) {
  const results = JSON.parse(readFileSync(join(root, variant, "results.json"), "utf8"));
  for (const row of results.summary) {
    console.log(
      `| ${variant} (${row.task}, ${row.seeds.length} seeds) | ${metrics.map(([key]) => cell(row.metrics[key])).join(" | ")} |`,
    );
  }
}
