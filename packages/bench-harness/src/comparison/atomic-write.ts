import { readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isProcessRunning } from "./process-running.js";

let counter = 0;

/** A temporary sibling's name: `<name>.<pid>.<n>.tmp`, so a later process can tell whose it was. */
const TEMPORARY_NAME = /^.+\.(\d+)\.\d+\.tmp$/;

/**
 * Writes a file through a temporary sibling and a rename, so a reader never sees half a file
 * and an interrupted write leaves the old one intact.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  counter += 1;
  const temporary = `${path}.${process.pid}.${counter}.tmp`;
  await writeFile(temporary, content, "utf8");
  await rename(temporary, path);
}

/**
 * Removes the temporary siblings that {@link writeFileAtomic} calls killed between write and
 * rename left in `dir` (those of processes no longer running); returns their names. A missing
 * folder has none.
 */
export async function removeStaleTemporaryFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((name) => {
    const match = TEMPORARY_NAME.exec(name);
    return match !== null && !isProcessRunning(Number(match[1]));
  });
  for (const name of stale) await rm(join(dir, name), { force: true });
  return stale;
}
