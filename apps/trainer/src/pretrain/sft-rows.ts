import type { Problem, Random, Task } from "@ibtpo/bench-harness";
import type { SymbolTokenizer, TokenRow } from "@ibtpo/policy-tfjs";
import { promptTokens } from "../runtime/task-setup.js";

/**
 * SFT rows for the warm-up: each problem's prompt (with BOS) followed by a random legal
 * trajectory and EOS. The policy learns the format and the legal moves, not how to solve.
 */
export function sftRows(
  task: Task,
  tokenizer: SymbolTokenizer,
  problems: readonly Problem[],
  random: Random,
  contextLength: number,
): TokenRow[] {
  const rows: TokenRow[] = [];
  for (const problem of problems) {
    const prompt = promptTokens(tokenizer, problem);
    const response = tokenizer.encode(task.randomTrajectory(problem, random), { eos: true });
    if (prompt.length + response.length > contextLength) continue;
    const tokens = new Int32Array(prompt.length + response.length);
    tokens.set(prompt);
    tokens.set(response, prompt.length);
    rows.push({ tokens, promptLength: prompt.length });
  }
  return rows;
}
