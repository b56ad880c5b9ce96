/**
 * Which thread computes each micro-batch of a step shared with worker threads: 0 is the calling
 * thread, 1 to `threads - 1` the workers. Largest first, each to the thread with the least cost
 * so far, a worker before the calling thread on a tie: the calling thread also sends the tasks,
 * adds the gradients and takes the optimizer step, so it should end its share first. A lone
 * micro-batch stays on the calling thread (a worker would only add the messaging). The
 * assignment changes no number: the gradients are added in micro-batch order whoever computes them.
 *
 * @example
 * assignMicroBatches([32, 20], 2); // [1, 0]: the worker takes the 32-row micro-batch
 */
export function assignMicroBatches(costs: readonly number[], threads: number): number[] {
  const owners = costs.map(() => 0);
  if (threads < 2 || costs.length < 2) return owners;
  const loads = Array.from({ length: threads }, () => 0);
  // Stable: equal costs keep micro-batch order.
  const largestFirst = costs.map((cost, index) => ({ cost, index })).sort((a, b) => b.cost - a.cost);
  for (const { cost, index } of largestFirst) {
    let owner = 1;
    for (let thread = 2; thread < threads; thread++) if (loads[thread]! < loads[owner]!) owner = thread;
    if (loads[0]! < loads[owner]!) owner = 0;
    owners[index] = owner;
    loads[owner]! += cost;
  }
  return owners;
}

/**
 * {@link assignMicroBatches} as each thread's micro-batch indices in ascending order.
 *
 * @example
 * threadShares([32, 20, 8], 2); // [[1, 2], [0]]: this thread 1 and 2, the worker 0
 */
export function threadShares(costs: readonly number[], threads: number): number[][] {
  const shares = Array.from({ length: Math.max(threads, 1) }, () => [] as number[]);
  assignMicroBatches(costs, threads).forEach((owner, index) => {
    shares[owner]!.push(index);
  });
  return shares;
}
