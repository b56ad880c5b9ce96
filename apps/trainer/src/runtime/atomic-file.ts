import { writeFileAtomic } from "@ibtpo/bench-harness";

export { writeFileAtomic };

/** Write a JSON document atomically (temporary sibling, then rename), pretty-printed. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
