// The sampler bench of this checkout against another checkout of the repository (a `git worktree`
// of an earlier commit, installed and built), run alternately, so that the drifts of a shared
// machine fall on both alike: for each round and task, the other checkout's bench then this one's.
// Prints, per task, checkout and sampler row, the median over rounds of generated tokens per second
// and of the row's ratio to chains in the same run, and every round's ratios.
//   git worktree add /tmp/before <commit> && (cd /tmp/before && npx -y pnpm@10.34.9 install --frozen-lockfile && npx -y pnpm@10.34.9 turbo run build --filter @ibtpo/trainer...)
//   npx tsx bench/alternate-checkouts.ts --other /tmp/before [--rounds 8] [--tasks line-walk,countdown] [--only "ib-tree (paper J), continuous"]
// (`--only` as in the sampler bench: a whole label is that row alone, beside chains, which always runs.)
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { integerOption, parseScriptArguments, scriptFailure } from "../../../scripts/command-line.mjs";
import { median } from "./median.js";

const { values } = parseScriptArguments(import.meta.url, {
  options: {
    other: { type: "string" },
    rounds: { type: "string", default: "8" },
    tasks: { type: "string", default: "line-walk,countdown" },
    only: { type: "string", default: "ib-tree (paper J), continuous" },
    prompts: { type: "string", default: "32" },
    steps: { type: "string", default: "8" },
  },
});
const fail: (message: string) => never = scriptFailure(import.meta.url);
const rounds = integerOption(import.meta.url, "--rounds", values.rounds);
if (values.other === undefined) fail("--other <checkout> is required (--help shows the usage)");
const benchOf = (checkout: string) => join(resolve(checkout), "apps", "trainer");
const checkouts = [
  { name: "other", directory: benchOf(values.other) },
  { name: "this", directory: benchOf(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..")) },
];
for (const { directory } of checkouts) {
  if (!existsSync(join(directory, "bench", "sampler-trajectories.ts"))) {
    console.error(`${directory} has no bench/sampler-trajectories.ts: --other must be a checkout of this repository`);
    process.exit(2);
  }
}

/** One run's table rows: label -> tokens per second and its ratio to chains. */
function runBench(directory: string, task: string): Map<string, { rate: number; ratio: number }> {
  const output = execFileSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "bench/sampler-trajectories.ts",
      "--only",
      values.only,
      "--tasks",
      task,
      "--prompts",
      values.prompts,
      "--steps",
      values.steps,
    ],
    { cwd: directory, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  const rows = new Map<string, { rate: number; ratio: number }>();
  for (const line of output.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    // | sampler | traj. | x | distinct | x | Eff | Avg | tokens / s | x chains | ...
    if (cells.length < 10 || !/^\d+$/.test(cells[8]!)) continue;
    rows.set(cells[1]!, { rate: Number(cells[8]), ratio: Number(cells[9]) });
  }
  return rows;
}

const tasks = values.tasks.split(",");
const results = new Map<string, { rate: number; ratio: number }[]>();
for (let round = 1; round <= rounds; round++) {
  for (const { name, directory } of checkouts) {
    for (const task of tasks) {
      for (const [label, figures] of runBench(directory, task)) {
        const key = `${task}\t${name}\t${label}`;
        results.set(key, [...(results.get(key) ?? []), figures]);
      }
      console.error(`round ${round}/${rounds}, ${name}, ${task} done; load average ${loadavg()[0]!.toFixed(2)}`);
    }
  }
}
console.log(
  `| task | checkout | sampler | tokens / s, median of ${rounds} | x chains, median | x chains, each round |`,
);
console.log("| --- | --- | --- | --- | --- | --- |");
for (const [key, figures] of results) {
  const [task, name, label] = key.split("\t");
  const rates = figures.map(({ rate }) => rate);
  const ratios = figures.map(({ ratio }) => ratio);
  console.log(
    `| ${task} | ${name} | ${label} | ${median(rates).toFixed(0)} | ${median(ratios).toFixed(2)} | ${ratios.map((ratio) => ratio.toFixed(2)).join(", ")} |`,
  );
}
