import { createHash } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Replace a file of a checkpoint and record its new checksum, so only the content is wrong. */
export async function rewriteWithChecksum(directory: string, file: string, bytes: Uint8Array): Promise<void> {
  await writeFile(join(directory, file), bytes);
  const manifest = JSON.parse(await readFile(join(directory, "manifest.json"), "utf8"));
  manifest.files[file] = { sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length };
  await writeFile(join(directory, "manifest.json"), JSON.stringify(manifest));
}

/** sha256 of every file in a folder, by name: equal before and after means nothing changed. */
export async function folderHashes(directory: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const name of (await readdir(directory)).sort()) {
    hashes[name] = createHash("sha256")
      .update(await readFile(join(directory, name)))
      .digest("hex");
  }
  return hashes;
}
