import { readFileSync } from "node:fs";
import { cpus } from "node:os";

/** The CPU model as /proc/cpuinfo gives it now (machines here change between runs). */
export function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((text) => text.startsWith("model name"));
    if (line !== undefined) return line.slice(line.indexOf(":") + 1).trim();
  } catch {}
  return cpus()[0]?.model ?? "unknown CPU";
}
