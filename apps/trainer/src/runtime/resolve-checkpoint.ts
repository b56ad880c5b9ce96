import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { RUN_FILES, RunFolder } from "@ibtpo/bench-harness";
import { ConfigError } from "../config/config-error.js";
import { readJsonFile } from "./verify-run-folder.js";

export interface ResolvedCheckpoint {
  readonly directory: string;
  /** The task the checkpoint was trained on, when recorded. */
  readonly task: string | null;
  readonly taskOptions: Record<string, number>;
}

/** Where a training run's base checkpoint comes from, the default `source` of {@link resolveCheckpoint}. */
const INIT_SOURCE = 'config key "init" (--init)';

/**
 * A checkpoint folder, or a run folder (its latest checkpoint), with the task it belongs to:
 * a run's config.json or the checkpoint's manifest metadata says which. `source` names where the
 * path came from (a config key, a flag, an argument) in the error for a missing folder.
 */
export async function resolveCheckpoint(path: string, source = INIT_SOURCE): Promise<ResolvedCheckpoint> {
  if (!existsSync(path)) {
    throw new ConfigError(
      `${source}: checkpoint folder ${resolve(path)} does not exist (relative paths start from the current folder, ${process.cwd()})`,
    );
  }
  if (existsSync(join(path, "manifest.json"))) {
    const manifest = (await readJsonFile(join(path, "manifest.json"))) as {
      metadata?: { task?: string; taskOptions?: Record<string, number> };
    } | null;
    return {
      directory: path,
      task: manifest?.metadata?.task ?? null,
      taskOptions: manifest?.metadata?.taskOptions ?? {},
    };
  }
  const latest = existsSync(join(path, RUN_FILES.config)) ? await new RunFolder(path).latestCheckpoint() : null;
  if (latest === null) {
    throw new ConfigError(
      `${source}: ${path} is neither a checkpoint (no manifest.json) nor a run folder with a checkpoint`,
    );
  }
  const config = (await readJsonFile(join(path, RUN_FILES.config))) as {
    task?: string;
    taskOptions?: Record<string, number>;
  } | null;
  return { directory: latest.directory, task: config?.task ?? null, taskOptions: config?.taskOptions ?? {} };
}
