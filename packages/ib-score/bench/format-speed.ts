// Times `analyze` on the same synthetic rollouts in the tokens and the text format (the text
// format cuts steps at the delimiter and interns step texts); prints both and the ratio.
// Goal: text within 3x of tokens. Run: pnpm --filter @ibtpo/ib-score bench:formats
import { cpus } from "node:os";
import { analyzeRolloutLines } from "../src/index.js";
import { syntheticRolloutLines } from "./synthetic-rollouts.js";

const tokenLines = [...syntheticRolloutLines(2000, 16, 3)];
const textLines = tokenLines.map((line) => {
  const record = JSON.parse(line) as { prompt_id: string; tokens: number[]; step_ends: number[]; reward: number };
  let start = 0;
  const steps = record.step_ends.map((end) => {
    const step = record.tokens
      .slice(start, end)
      .map((token) => `w${token}`)
      .join(" ");
    start = end;
    return `${step}\n`;
  });
  return JSON.stringify({ prompt: record.prompt_id, response: steps.join(""), reward: record.reward });
});

async function medianSeconds(lines: string[], options: object, repeats: number): Promise<number> {
  await analyzeRolloutLines(lines, "bench", options); // warm-up
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = process.hrtime.bigint();
    await analyzeRolloutLines(lines, "bench", options);
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

console.log(`machine: ${cpus()[0]?.model ?? "unknown"} x${cpus().length}, node ${process.version}`);
console.log(`rollouts: ${tokenLines.length} responses over 2000 prompts; goal: text <= 3x tokens`);
const tokens = await medianSeconds(tokenLines, { format: "tokens" }, 7);
const text = await medianSeconds(textLines, { format: "text", promptKey: "prompt" }, 7);
console.log(
  `tokens ${(tokens * 1000).toFixed(1)} ms   text ${(text * 1000).toFixed(1)} ms   ratio ${(text / tokens).toFixed(2)}`,
);
