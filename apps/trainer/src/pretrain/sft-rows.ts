import type { Problem, Random, Task } from "@ibtpo/bench-harness";
import type { SymbolTokenizer, TokenRow } from "@ibtpo/policy-tfjs";
import { promptTokens } from "../runtime/task-setup.js";
import { tokenRow } from "../runtime/token-row.js";

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
    rows.push(tokenRow(prompt, response));
  }
  return rows;
}
