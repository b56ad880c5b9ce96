// Writes a synthetic rollouts JSONL file.
// Usage: tsx bench/make-rollouts.ts <out.jsonl> [--prompts N] [--group G] [--seed S] [--megabytes M]
// With --megabytes, prompts are added until the file reaches that size (for memory benchmarks).

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { integerOption, parseScriptArguments, scriptFailure } from "../../../scripts/command-line.mjs";
import { syntheticRolloutLines } from "./synthetic-rollouts.js";

const { values, positionals } = parseScriptArguments(import.meta.url, {
  allowPositionals: true,
  options: {
    prompts: { type: "string", default: "8" },
    group: { type: "string", default: "8" },
    seed: { type: "string", default: "1" },
    megabytes: { type: "string" },
  },
});
const fail: (message: string) => never = scriptFailure(import.meta.url);
const out = positionals[0];
if (out === undefined) fail("give the file to write (--help shows the usage)");
const limitBytes = values.megabytes === undefined ? Number.POSITIVE_INFINITY : Number(values.megabytes) * 1024 * 1024;
const prompts =
  values.megabytes === undefined
    ? integerOption(import.meta.url, "--prompts", values.prompts)
    : Number.MAX_SAFE_INTEGER;
const group = integerOption(import.meta.url, "--group", values.group);
const seed = integerOption(import.meta.url, "--seed", values.seed, 0);
const stream = createWriteStream(out);
let written = 0;
for (const line of syntheticRolloutLines(prompts, group, seed)) {
  if (written >= limitBytes) break;
  written += line.length + 1;
  if (!stream.write(`${line}\n`)) await once(stream, "drain");
}
stream.end();
await once(stream, "finish");
console.log(`wrote ${out}: ${(written / 1024 / 1024).toFixed(1)} MB`);
