import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { isProcessRunning, RUN_FILES } from "@ibtpo/bench-harness";
import type { z } from "zod";
import { ConfigError } from "../config/config-error.js";

/** What a checkpoint save killed part-way leaves: `step-NNNNNN.tmp-PID-TIME-N` (and `.previous`). */
const TEMPORARY_NAME = /^step-\d+\.tmp-(\d+)-\d+-\d+(\.previous)?$/;

/**
 * Remove the temporary folders that checkpoint saves killed part-way left in a run's checkpoints folder
 * (those of processes no longer running); returns their names.
 */
export async function removeStaleTemporaryFolders(runDirectory: string): Promise<string[]> {
  const checkpoints = join(runDirectory, RUN_FILES.checkpoints);
  if (!existsSync(checkpoints)) return [];
  const stale = (await readdir(checkpoints)).filter((name) => {
    const match = TEMPORARY_NAME.exec(name);
    return match !== null && !isProcessRunning(Number(match[1]));
  });
  for (const name of stale) await rm(join(checkpoints, name), { recursive: true, force: true });
  return stale;
}

/** sha256 of a run's config.json as written: checkpoints record it, so a resume can tell they belong to the run. */
export async function runConfigHash(runDirectory: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(join(runDirectory, "config.json")))
    .digest("hex");
}

/** The JSON of a file, or a {@link ConfigError} naming it. */
export async function readJsonFile(path: string): Promise<unknown> {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(`${path}: cannot read (${error.code ?? error.message})`);
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: invalid JSON (${(error as Error).message})`);
  }
}

/**
 * Check that a checkpoint belongs to the run resumed from it: the config hash it recorded (when it
 * has one) matches the run's config.json, its task, algorithm and seed match, and its model shape
 * is the base checkpoint's.
 */
export async function verifyCheckpointBelongs(
  checkpoint: string,
  run: { readonly directory: string; readonly task: string; readonly algorithm: string; readonly seed: number },
  base: string,
): Promise<void> {
  const manifestPath = join(checkpoint, "manifest.json");
  const manifest = (await readJsonFile(manifestPath)) as { metadata?: Record<string, unknown> } | null;
  const metadata = manifest?.metadata ?? {};
  const hash = await runConfigHash(run.directory);
  if (metadata.configHash !== undefined && metadata.configHash !== hash) {
    throw new ConfigError(
      `${manifestPath}: the checkpoint was saved by a run of another config (config hash ${String(metadata.configHash).slice(0, 12)}, this run's config.json has ${hash.slice(0, 12)})`,
    );
  }
  for (const key of ["task", "algorithm", "seed"] as const) {
    if (metadata[key] !== undefined && metadata[key] !== run[key]) {
      throw new ConfigError(
        `${manifestPath}: metadata.${key} is ${JSON.stringify(metadata[key])} but this run's is ${JSON.stringify(run[key])}; the checkpoint belongs to another run`,
      );
    }
  }
  const shape = (await readJsonFile(join(checkpoint, "config.json"))) as Record<string, unknown> | null;
  const baseShape = (await readJsonFile(join(base, "config.json"))) as Record<string, unknown> | null;
  for (const key of Object.keys(baseShape ?? {})) {
    if (shape?.[key] !== baseShape?.[key]) {
      throw new ConfigError(
        `${join(checkpoint, "config.json")}: ${key} is ${JSON.stringify(shape?.[key])} but the run's base model has ${JSON.stringify(baseShape?.[key])}; the checkpoint is of another model`,
      );
    }
  }
}

/**
 * Check every line of a run's metrics.jsonl is a JSON object with an integer `step`, naming
 * `metrics.jsonl:LINE` for the first that is not. A last line cut short by a kill (no newline at
 * the end) is allowed: the resume drops it.
 */
export async function verifyMetricsFile(path: string): Promise<void> {
  if (!existsSync(path)) return;
  const text = await readFile(path, "utf8");
  const lines = text.split("\n");
  const partial = text.endsWith("\n") ? -1 : lines.length - 1;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string;
    if (line.trim() === "") continue;
    let metrics: unknown;
    try {
      metrics = JSON.parse(line);
    } catch {
      if (index === partial) continue; // a last line cut short by an interrupted append
      throw new ConfigError(`${path}:${index + 1}: not a JSON line of step metrics; fix or delete this line to resume`);
    }
    const step = (metrics as { step?: unknown } | null)?.step;
    if (typeof step !== "number" || !Number.isInteger(step) || step < 1) {
      throw new ConfigError(`${path}:${index + 1}: "step" is ${JSON.stringify(step)}, not a step number`);
    }
  }
}

/**
 * A run's saved config, checked by `schema`: the file and key are named for invalid JSON or a bad
 * value, and a missing or file-shaped run folder says so.
 */
export async function readRunConfig<Schema extends z.ZodType>(
  runDirectory: string,
  schema: Schema,
  settingsOf: (saved: Record<string, unknown>) => Record<string, unknown>,
): Promise<z.infer<Schema>> {
  if (!existsSync(runDirectory)) throw new ConfigError(`--out ${runDirectory}: no such run folder to resume`);
  if (!statSync(runDirectory).isDirectory())
    throw new ConfigError(`--out ${runDirectory}: is a file, not a run folder`);
  const path = join(runDirectory, RUN_FILES.config);
  if (!existsSync(path)) throw new ConfigError(`--out ${runDirectory}: not a run folder (no config.json)`);
  const saved = await readJsonFile(path);
  if (typeof saved !== "object" || saved === null || Array.isArray(saved)) {
    throw new ConfigError(`${path}: must be a JSON object of config keys`);
  }
  const config = settingsOf(saved as Record<string, unknown>);
  const result = schema.safeParse(config);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues
      .map(
        (issue) =>
          `${path}: config key "${issue.path.map(String).join(".")}": ${issue.message.replace(/^Invalid input: /, "")}`,
      )
      .join("\n"),
  );
}
