import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { RUN_FILES, RunFolder, type RunResult, type RunSpec, readRunFolder } from "@ibtpo/bench-harness";
import type { WorkersChoice } from "../train/training-workers.js";

export interface ChildTrainOptions {
  readonly runDirectory: string;
  /** Arguments of `ibtpo train` besides --out, --resume, --quiet and --workers. */
  readonly trainArguments: readonly string[];
  /** The child's `--workers` (see `compareChildWorkers`). */
  readonly workers: WorkersChoice;
}

/**
 * Train one comparison run in a child process (so runs use separate cores), logging to the run
 * folder's log. A finished run (with its evaluation) is reused; a run with metrics but no
 * evaluation is resumed from its latest checkpoint.
 */
export async function trainInChild(spec: RunSpec, options: ChildTrainOptions): Promise<RunResult> {
  const { runDirectory } = options;
  const folder = new RunFolder(runDirectory);
  if (!folder.hasEvaluation()) {
    await mkdir(runDirectory, { recursive: true });
    const resume = folder.hasMetrics();
    const log = createWriteStream(folder.path(RUN_FILES.log), { flags: "a" });
    const args = [
      ...process.execArgv,
      process.argv[1] as string,
      "train",
      "--out",
      runDirectory,
      "--quiet",
      "--workers",
      String(options.workers),
      ...(resume ? ["--resume"] : options.trainArguments),
    ];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
      child.stdout.pipe(log, { end: false });
      child.stderr.pipe(log, { end: false });
      child.on("error", reject);
      child.on("exit", resolve);
    });
    log.end();
    if (code !== 0) {
      throw new Error(
        `run ${spec.task}/${spec.algorithm}/seed ${spec.seed} failed (exit ${code}); see ${folder.path(RUN_FILES.log)}`,
      );
    }
  }
  const stored = await readRunFolder(runDirectory);
  return { history: stored.history, evaluation: stored.evaluation, config: stored.config };
}
