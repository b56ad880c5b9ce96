// Runs `ib-score analyze` on synthetic rollouts files of 100 MB and 1 GB and prints the peak
// resident memory of each run (sampled from /proc every 50 ms), to show memory stays flat as
// the file grows. Needs a built package (pnpm build). Files are written to $TMPDIR once.
// Usage: tsx bench/analyze-memory.ts [--sizes 100,1024]
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseScriptArguments } from "../../../scripts/command-line.mjs";

const { values } = parseScriptArguments(import.meta.url, {
  options: { sizes: { type: "string", default: "100,1024" } },
});
const here = new URL(".", import.meta.url).pathname;
const cli = join(here, "../dist/cli.js");

function run(command: string, args: string[]): Promise<{ peakKb: number; seconds: number; code: number | null }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "inherit"] });
    let peakKb = 0;
    const timer = setInterval(() => {
      try {
        const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (match) peakKb = Math.max(peakKb, Number(match[1]));
      } catch {
        // the process has just exited
      }
    }, 50);
    child.on("exit", (code) => {
      clearInterval(timer);
      resolve({ peakKb, seconds: (Date.now() - started) / 1000, code });
    });
  });
}

for (const megabytes of (values.sizes ?? "").split(",").map(Number)) {
  const file = join(tmpdir(), `ibtpo-rollouts-${megabytes}mb.jsonl`);
  if (!existsSync(file)) {
    const made = await run("npx", [
      "tsx",
      join(here, "make-rollouts.ts"),
      file,
      "--megabytes",
      String(megabytes),
      "--group",
      "8",
      "--seed",
      "3",
    ]);
    if (made.code !== 0) throw new Error(`could not write ${file}`);
  }
  const size = statSync(file).size / 1024 / 1024;
  const result = await run(process.execPath, [cli, "analyze", file, "--json"]);
  if (result.code !== 0) throw new Error(`analyze failed on ${file}`);
  console.log(
    `${size.toFixed(0).padStart(5)} MB file: peak RSS ${(result.peakKb / 1024).toFixed(0)} MB, ${result.seconds.toFixed(1)} s (${(size / result.seconds).toFixed(1)} MB/s)`,
  );
}
