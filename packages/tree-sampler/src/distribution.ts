/**
 * Exact operations on a next-token distribution, shared by the reference policy and its tests.
 * Every function takes and returns plain probabilities indexed by token id.
 */

/**
 * p_T(x) proportional to p(x)^(1/T), computed in log space so small temperatures do not underflow.
 *
 * @example
 * temperatureScaled([0.2, 0.8], 0.5); // [0.04, 0.64] / 0.68
 */
export function temperatureScaled(probabilities: ArrayLike<number>, temperature: number): Float64Array {
  // At T = 1 the log/exp round trip would only add round-off to exact table values.
  if (temperature === 1) return Float64Array.from(probabilities);
  const result = new Float64Array(probabilities.length);
  let maximum = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i] as number;
    if (p > 0) maximum = Math.max(maximum, Math.log(p) / temperature);
  }
  let total = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i] as number;
    const weight = p > 0 ? Math.exp(Math.log(p) / temperature - maximum) : 0;
    result[i] = weight;
    total += weight;
  }
  for (let i = 0; i < result.length; i++) result[i] = (result[i] as number) / total;
  return result;
}

/**
 * Shannon entropy in nats, with 0 ln 0 = 0.
 *
 * @example
 * entropyOf([0.5, 0.5]); // ln 2
 */
export function entropyOf(probabilities: ArrayLike<number>): number {
  let entropy = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i] as number;
    if (p > 0) entropy -= p * Math.log(p);
  }
  return entropy;
}

/**
 * Keep the `topK` most likely tokens (0 = all), then the smallest most-likely set whose mass
 * reaches `topP`, and renormalise. Ties rank the smaller token id first, so the kept set is unique.
 *
 * @example
 * truncatedDistribution(Float64Array.from([0.1, 0.4, 0.2, 0.3]), 2, 1); // [0, 4/7, 0, 3/7]
 */
export function truncatedDistribution(probabilities: Float64Array, topK: number, topP: number): Float64Array {
  if (topK === 0 && topP >= 1) return probabilities;
  const order = Array.from(probabilities.keys())
    .filter((token) => (probabilities[token] as number) > 0)
    .sort((x, y) => (probabilities[y] as number) - (probabilities[x] as number) || x - y);
  const limit = topK > 0 ? Math.min(topK, order.length) : order.length;
  const kept = new Float64Array(probabilities.length);
  let mass = 0;
  for (let rank = 0; rank < limit && mass < topP; rank++) {
    const token = order[rank] as number;
    kept[token] = probabilities[token] as number;
    mass += kept[token] as number;
  }
  for (let i = 0; i < kept.length; i++) kept[i] = (kept[i] as number) / mass;
  return kept;
}

/**
 * Inverse-CDF draw over token ids in increasing order; `uniform` is in [0, 1).
 *
 * @example
 * drawToken(Float64Array.from([0.5, 0.5]), random.next()); // 0 or 1
 */
export function drawToken(probabilities: Float64Array, uniform: number): number {
  let cumulative = 0;
  let lastPositive = -1;
  for (let token = 0; token < probabilities.length; token++) {
    const p = probabilities[token] as number;
    if (p <= 0) continue;
    cumulative += p;
    lastPositive = token;
    if (uniform < cumulative) return token;
  }
  // Only reached when round-off leaves the cumulative sum a hair below 1.
  return lastPositive;
}
