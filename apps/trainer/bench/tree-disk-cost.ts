// Disk cost of saving a step's trees: trains 3 steps at the measured comparison's settings
// (experiments/main.yaml) with treesEvery=1 and prints the bytes of each step's rollouts JSONL and
// viewer page beside the checkpoint the run keeps, to choose `treesEvery`.
// Run: pnpm --filter @ibtpo/trainer bench:tree-disk
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RUN_FILES, stepTreeFiles } from "@ibtpo/bench-harness";
import { cpuModel } from "./cpu-model.js";

const steps = 3;
const root = fileURLToPath(new URL("../../..", import.meta.url));
const run = join(mkdtempSync(join(tmpdir(), "tree-disk-")), "run");
execFileSync(
  process.execPath,
  [
    join(root, "apps/trainer/dist/cli.js"),
    "train",
    "--config",
    join(root, "experiments/main.yaml"),
    "--steps",
    String(steps),
    "--set",
    "treesEvery=1",
    "--out",
    run,
    "--quiet",
  ],
  { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const folderBytes = (path: string): number =>
  statSync(path).isDirectory()
    ? readdirSync(path).reduce((sum, name) => sum + folderBytes(join(path, name)), 0)
    : statSync(path).size;
const metrics = readFileSync(join(run, RUN_FILES.metrics), "utf8").trim().split("\n");
console.log(
  `machine: ${cpuModel()}; load average ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`,
);
console.log("settings: experiments/main.yaml (32 prompts x 160 tokens per step)");
let total = 0;
for (let step = 1; step <= steps; step++) {
  const files = stepTreeFiles(step);
  const rollouts = statSync(join(run, files.rollouts)).size;
  const viewer = statSync(join(run, files.viewer)).size;
  const { generatedTokens, trajectories } = JSON.parse(metrics[step - 1] as string);
  total += rollouts + viewer;
  console.log(
    `step ${step}: ${trajectories} trajectories, ${generatedTokens} tokens: rollouts ${kib(rollouts)} (${(rollouts / generatedTokens).toFixed(0)} B/token), viewer ${kib(viewer)}`,
  );
}
const checkpoint = folderBytes(join(run, RUN_FILES.checkpoints, `step-${String(steps).padStart(6, "0")}`));
console.log(
  `mean per saved step ${kib(total / steps)}; one checkpoint ${kib(checkpoint)}; metrics line ${kib(metrics[0]?.length ?? 0)}`,
);
rmSync(join(run, ".."), { recursive: true, force: true });
