// Prints, per task and algorithm of a comparison folder, how the training diagnostics moved:
// Eff-Rate, the IB-Score J with its Cov and Avg-Rate, and token entropy over the first and last 10
// steps, averaged over seeds (docs/METHOD.md section 3.1). Usage:
// node experiments/training-dynamics.mjs runs/main
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseScriptArguments, scriptFailure } from "../scripts/command-line.mjs";

const fail = scriptFailure(import.meta.url);
const { positionals } = parseScriptArguments(import.meta.url, { allowPositionals: true, options: {} });
const root = join(positionals[0] ?? "runs/main", "runs");
if (!existsSync(root)) fail(`${root} is missing: give a comparison folder (the --out of \`ibtpo compare\`)`);
const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
const window = (steps, key, from, to) => mean(steps.slice(from, to).map((step) => step[key] ?? 0));
console.log(
  "| task | algorithm | Eff-Rate (all steps) | IB-Score J first -> last 10 steps | Cov | Avg-Rate | entropy |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const task of readdirSync(root)) {
  for (const algorithm of readdirSync(join(root, task))) {
    const runs = readdirSync(join(root, task, algorithm))
      .map((seed) => join(root, task, algorithm, seed, "metrics.jsonl"))
      .filter((file) => existsSync(file))
      .map((file) =>
        readFileSync(file, "utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line)),
      );
    const across = (pick) => mean(runs.map(pick)).toFixed(3);
    const change = (key) =>
      `${across((steps) => window(steps, key, 0, 10))} -> ${across((steps) => window(steps, key, -10))}`;
    console.log(
      `| ${task} | ${algorithm} | ${across((steps) => window(steps, "effRate", 0))} | ${change("ibScore")} | ${change("ibCov")} | ${change("avgRate")} | ${change("entropy")} |`,
    );
  }
}
