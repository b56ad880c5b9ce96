import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const sourceDirectory = dirname(fileURLToPath(import.meta.url));

/** Every module specifier reachable from `entry` by static or dynamic import, following relative ones. */
function reachableSpecifiers(entry: string): Set<string> {
  const seen = new Set<string>();
  const specifiers = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["']([^"']+)["']/g)) {
      const specifier = match[1] as string;
      specifiers.add(specifier);
      if (specifier.startsWith(".")) pending.push(resolve(dirname(file), specifier.replace(/\.js$/, ".ts")));
    }
  }
  return specifiers;
}

describe("the root entry", () => {
  it("imports nothing from TensorFlow.js, directly or through its own modules", () => {
    const specifiers = [...reachableSpecifiers(join(sourceDirectory, "index.ts"))];
    expect(specifiers.filter((specifier) => specifier.includes("tensorflow") || specifier.includes("tfjs"))).toEqual(
      [],
    );
    // Only the pure packages it names as dependencies (neither imports TensorFlow.js either).
    expect(specifiers.filter((specifier) => !specifier.startsWith(".")).sort()).toEqual([
      "@ibtpo/ib-score",
      "@ibtpo/tree-sampler",
    ]);
  });
});
