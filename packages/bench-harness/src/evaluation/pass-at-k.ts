import { BenchHarnessError } from "../errors.js";
/**
 * Unbiased pass@k estimator (Chen et al., 2021): from n samples of which c are correct, the
 * probability that at least one of k samples drawn without replacement is correct,
 * 1 - C(n - c, k) / C(n, k), computed as a running product so large n does not overflow.
 *
 * @example
 * passAtK(16, 2, 4); // 1 - C(14, 4) / C(16, 4) = 0.45
 */
export function passAtK(samples: number, correct: number, k: number): number {
  if (!Number.isInteger(samples) || samples < 1)
    throw new BenchHarnessError(`samples must be a positive integer, got ${samples}`, "passAtK");
  if (!Number.isInteger(correct) || correct < 0 || correct > samples) {
    throw new BenchHarnessError(`correct must be an integer in [0, ${samples}], got ${correct}`, "passAtK");
  }
  if (!Number.isInteger(k) || k < 1 || k > samples)
    throw new BenchHarnessError(`k must be an integer in [1, ${samples}], got ${k}`, "passAtK");
  if (samples - correct < k) return 1;
  // C(n-c, k) / C(n, k) = prod_{i = n-c+1}^{n} (1 - k / i)
  let allWrong = 1;
  for (let i = samples - correct + 1; i <= samples; i++) allWrong *= 1 - k / i;
  return 1 - allWrong;
}
