/**
 * What to do with a request that does not fit whole in the remaining budget: `truncate` sends it
 * with a lower maxTokens (its response may be cut, flagged `truncation: 'budget'`); `drop` does
 * not send it, so no response is ever cut by the budget (at the price of leaving some unspent).
 */
export type BudgetCut = "truncate" | "drop";

/**
 * Fit a batch of requests to the remaining token budget: grant each request, in order, what it
 * asks for while budget is left; with `truncate` the first request that does not fit gets what is
 * left, with `drop` it gets 0 (dropped), as do all later ones. The grants never sum to more than
 * `remaining`.
 *
 * @example
 * fitToBudget([40, 40, 40, 40], 100); // [40, 40, 20, 0]
 * fitToBudget([40, 40, 40, 40], 100, "drop"); // [40, 40, 0, 0]
 */
export function fitToBudget(desired: readonly number[], remaining: number, cut: BudgetCut = "truncate"): number[] {
  let left = Math.max(0, remaining);
  return desired.map((tokens) => {
    const granted = cut === "drop" && tokens > left ? 0 : Math.min(tokens, left);
    left = cut === "drop" && granted === 0 ? 0 : left - granted;
    return granted;
  });
}
