import type { Problem, Random, Task } from "@ibtpo/bench-harness";
import type { SymbolTokenizer, TokenRow } from "@ibtpo/policy-tfjs";
import { promptTokens } from "../runtime/task-setup.js";
import { tokenRow } from "../runtime/token-row.js";

/**
 * SFT rows for the warm-up: each problem's prompt (with BOS) followed by a random legal
 * trajectory and EOS, so the policy learns the format and the legal moves, not how to solve. With
 * `solverShare` above 0, that share of the rows (drawn per row) carries the task's reference
 * solution instead, where the problem has one.
 */
export function sftRows(
  task: Task,
  tokenizer: SymbolTokenizer,
  problems: readonly Problem[],
  random: Random,
  contextLength: number,
  solverShare = 0,
): TokenRow[] {
  const rows: TokenRow[] = [];
  for (const problem of problems) {
    const prompt = promptTokens(tokenizer, problem);
    // No draw at share 0, so base checkpoints made before the option repeat bit for bit.
    const solution = solverShare > 0 && random.next() < solverShare ? task.solve(problem) : null;
    const response = tokenizer.encode(solution ?? task.randomTrajectory(problem, random), { eos: true });
    if (prompt.length + response.length > contextLength) continue;
    rows.push(tokenRow(prompt, response));
  }
  return rows;
}
