/** H_b(x) = -x ln x - (1 - x) ln(1 - x) in nats, with 0 ln 0 = 0. */
export function binaryEntropy(x: number): number {
  if (x <= 0 || x >= 1) return 0;
  return -x * Math.log(x) - (1 - x) * Math.log(1 - x);
}

/** H_b'(x) = ln((1 - x) / x); infinite at 0 and 1, so callers use smoothed values (alpha > 0). */
export function binaryEntropyDerivative(x: number): number {
  return Math.log((1 - x) / x);
}

/** v = (correct + alpha) / (trajectories + 2 alpha): the Monte Carlo estimate of p(correct | prefix). */
export function smoothedValue(correct: number, trajectories: number, alpha: number): number {
  const denominator = trajectories + 2 * alpha;
  return denominator > 0 ? (correct + alpha) / denominator : Number.NaN;
}
