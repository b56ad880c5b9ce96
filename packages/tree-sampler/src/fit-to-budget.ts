/**
 * Cut a batch of requests to the remaining token budget: grant each request, in order, what it
 * asks for while budget is left, so the last requests get a lower maxTokens or 0 (dropped). The
 * grants never sum to more than `remaining`.
 *
 * @example
 * fitToBudget([40, 40, 40, 40], 100); // [40, 40, 20, 0]
 */
export function fitToBudget(desired: readonly number[], remaining: number): number[] {
  let left = Math.max(0, remaining);
  return desired.map((tokens) => {
    const granted = Math.min(tokens, left);
    left -= granted;
    return granted;
  });
}
