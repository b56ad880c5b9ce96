import { rename, writeFile } from "node:fs/promises";

let counter = 0;

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
