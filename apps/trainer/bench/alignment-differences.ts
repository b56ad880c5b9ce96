// Pooled cosines and paired differences from one or more gradient-alignment results
// (`bench:alignment --out results.json`, for example the same variants under different --seed):
// the batches of a variant are pooled over the files, and each variant's per-batch cosines minus
// those of a chosen baseline variant over the same batches give the paired difference, both with
// their 95% t interval. The benchmark itself reports differences to its first variant only; this
// answers "does option X move the cosine against the default?". Variants missing from a file are
// left out of the table.
//   node --import tsx apps/trainer/bench/alignment-differences.ts a.json b.json --baseline 'ib-tpo (paper defaults)'
import { readFile } from "node:fs/promises";
import { formatMeanInterval } from "@ibtpo/bench-harness";
import { parseScriptArguments, scriptFailure } from "../../../scripts/command-line.mjs";
import { pairedCosineDifference, poolCosines } from "./alignment-pooling.js";

const fail: (message: string) => never = scriptFailure(import.meta.url);

interface ResultVariant {
  readonly name: string;
  readonly cosines: readonly number[];
}

const { values, positionals } = parseScriptArguments(import.meta.url, {
  options: { baseline: { type: "string" } },
  allowPositionals: true,
});
if (positionals.length === 0) fail("expects at least one results file (--help shows the usage)");
if (values.baseline === undefined) fail("--baseline is required (--help shows the usage)");

/** Which batches a file measured: the same task and seed draw the same batches. */
const measuredBy = new Map<string, string>();

async function readVariants(path: string): Promise<readonly ResultVariant[]> {
  try {
    const document = JSON.parse(await readFile(path, "utf8")) as { variants?: unknown; task?: unknown; seed?: unknown };
    if (!Array.isArray(document.variants)) fail(`${path}: no "variants" list (is it a bench:alignment --out file?)`);
    const batches = `task ${String(document.task)}, seed ${String(document.seed)}`;
    const earlier = measuredBy.get(batches);
    if (earlier !== undefined)
      fail(`${path} and ${earlier} both measured ${batches}: the same batches would count twice`);
    measuredBy.set(batches, path);
    return document.variants as ResultVariant[];
  } catch (error) {
    if (error instanceof SyntaxError) fail(`${path}: not JSON (${error.message})`);
    if ((error as NodeJS.ErrnoException).code === "ENOENT") fail(`${path}: no such file`);
    throw error;
  }
}

/** Per variant name, its cosines over every file that has both it and the baseline, in file order. */
const pooled = new Map<string, { cosines: number[]; baseline: number[] }>();
for (const path of positionals) {
  const variants = await readVariants(path);
  const baseline = variants.find((variant) => variant.name === values.baseline);
  if (baseline === undefined) {
    fail(`${path}: no variant named "${values.baseline}"; variants: ${variants.map((v) => `"${v.name}"`).join(", ")}`);
  }
  for (const variant of variants) {
    if (variant.cosines.length !== baseline.cosines.length) {
      fail(`${path}: "${variant.name}" has ${variant.cosines.length} batches, the baseline ${baseline.cosines.length}`);
    }
    const entry = pooled.get(variant.name) ?? { cosines: [], baseline: [] };
    entry.cosines.push(...variant.cosines);
    entry.baseline.push(...baseline.cosines);
    pooled.set(variant.name, entry);
  }
}
const lines = [
  `| variant | pooled cosine | 95% interval | paired difference to ${values.baseline} [95% interval] | batches |`,
  "| --- | --- | --- | --- | --- |",
];
for (const [name, { cosines, baseline }] of pooled) {
  const cosine = poolCosines(cosines);
  const difference = name === values.baseline ? null : pairedCosineDifference(cosines, baseline);
  // One batch has no interval: the cells keep their brackets, with "n/a" for each bound.
  const bounds = formatMeanInterval(cosine, { boundsOnly: true, missingBound: "n/a" });
  const differenceText = formatMeanInterval(difference, { signed: true, missing: "n/a", missingBound: "n/a" });
  lines.push(`| ${name} | ${cosine.mean.toFixed(3)} | ${bounds} | ${differenceText} | ${cosines.length} |`);
}
process.stdout.write(`${lines.join("\n")}\n`);
