/**
 * Pearson's chi-square statistic of observed counts against exact probabilities, over the cells
 * with positive probability (a count in a zero-probability cell makes it infinite).
 */
export function chiSquare(
  counts: readonly number[],
  probabilities: ArrayLike<number>,
): { statistic: number; degrees: number } {
  const total = counts.reduce((sum, count) => sum + count, 0);
  let statistic = 0;
  let cells = 0;
  for (let i = 0; i < counts.length; i++) {
    const p = probabilities[i] as number;
    const count = counts[i] as number;
    if (p === 0) {
      if (count > 0) return { statistic: Number.POSITIVE_INFINITY, degrees: cells };
      continue;
    }
    cells++;
    statistic += (count - total * p) ** 2 / (total * p);
  }
  return { statistic, degrees: cells - 1 };
}

/** The 0.999 quantile of chi-square with `degrees` degrees of freedom (Wilson-Hilferty). */
export function chiSquareQuantile999(degrees: number): number {
  const z = 3.090232;
  const a = 2 / (9 * degrees);
  return degrees * (1 - a + z * Math.sqrt(a)) ** 3;
}
