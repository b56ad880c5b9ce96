import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { outputMatches, readmeBlocks } from "./readme-blocks.js";

const root = resolve(import.meta.dirname, "../..");
const packagesDir = join(root, "packages");
const packages = readdirSync(packagesDir).filter((name) => existsSync(join(packagesDir, name, "package.json")));

/**
 * Runs an example as a user on a fresh clone would: tsx over the sources, no build. Asynchronous, so
 * the test worker keeps answering vitest while a slow example (policy-tfjs trains a model) runs.
 */
async function runExample(packageDir: string, example: string): Promise<string> {
  const tsx = join(root, "node_modules", ".bin", "tsx");
  try {
    const { stdout } = await promisify(execFile)(tsx, ["--tsconfig", join(root, "tsconfig.examples.json"), example], {
      cwd: packageDir,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    throw new Error(`${example} exited with ${failed.code}:\n${failed.stderr ?? String(error)}`);
  }
}

describe("README examples", () => {
  it("every package shows the output of a runnable example in its README", () => {
    const without = packages.filter((name) => {
      const readme = readFileSync(join(packagesDir, name, "README.md"), "utf8");
      return !readmeBlocks(readme).some((block) => block.kind === "output");
    });
    expect(without).toEqual([]);
  });

  for (const name of packages) {
    const packageDir = join(packagesDir, name);
    const blocks = readmeBlocks(readFileSync(join(packageDir, "README.md"), "utf8"));
    for (const example of new Set(blocks.map((block) => block.example))) {
      it(`${name}: ${example} runs and prints what the README shows`, async () => {
        const source = readFileSync(join(packageDir, example), "utf8");
        for (const block of blocks.filter((entry) => entry.example === example && entry.kind === "code")) {
          expect(source.includes(block.text), `README.md:${block.line}: the code is not an excerpt of ${example}`).toBe(
            true,
          );
        }
        const outputs = blocks.filter((entry) => entry.example === example && entry.kind === "output");
        if (outputs.length === 0) return;
        const printed = await runExample(packageDir, example);
        for (const block of outputs) {
          expect(
            outputMatches(block.text, printed),
            `README.md:${block.line}: ${example} printed\n${printed}\ninstead of\n${block.text}`,
          ).toBe(true);
        }
      });
    }
  }
});
