/**
 * A lower bound on the entropy (nats) of a next-token distribution of which only the `k` most
 * likely tokens (plus possibly the sampled one) are known, as servers report them in
 * `top_logprobs`:
 *
 *   H >= sum over known tokens of -p ln p  +  r * (-ln p_k)
 *
 * where r = 1 - (sum of the known p) is the mass of the unseen tokens and p_k the k-th largest
 * known probability. Every unseen token has p <= p_k (else it would be in the top k), so each of
 * its terms -q ln q is at least -q ln p_k. The bound is exact when r = 0 (k covers the
 * vocabulary) and tight when the unseen mass sits in tokens as likely as the k-th one. Known
 * log-probs above 0 or not finite are errors of the caller (checked before).
 *
 * @example
 * entropyLowerBound([Math.log(0.5), Math.log(0.25)], 2); // 0.5 ln 2 + 0.25 ln 4 + 0.25 ln 4 = 1.0397
 */
export function entropyLowerBound(knownLogprobs: readonly number[], k: number): number {
  if (knownLogprobs.length === 0) return Number.NaN;
  const sorted = [...knownLogprobs].sort((a, b) => b - a);
  let known = 0;
  let mass = 0;
  for (const logprob of sorted) {
    const probability = Math.exp(logprob);
    mass += probability;
    if (probability > 0) known -= probability * logprob;
  }
  const remainder = Math.max(0, 1 - mass);
  const kth = sorted[Math.min(k, sorted.length) - 1] as number;
  return remainder > 0 ? known - remainder * kth : known;
}
