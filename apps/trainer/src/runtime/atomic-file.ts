import { rename, writeFile } from "node:fs/promises";

let counter = 0;

/** Write through a temporary sibling and a rename: a reader (or a crash) never sees half a file. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  counter += 1;
  const temporary = `${path}.${process.pid}.${counter}.tmp`;
  await writeFile(temporary, content, "utf8");
  await rename(temporary, path);
}

export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
