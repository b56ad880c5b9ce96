/** How one next token is chosen from logits. */
export interface DrawSettings {
  /** Softmax temperature; 0 means greedy (argmax). */
  readonly temperature: number;
  /** Keep the k most likely tokens; 0 means all. */
  readonly topK: number;
  /** Keep the smallest most-likely set whose mass reaches topP; 1 means all. */
  readonly topP: number;
}

export interface TokenDraw {
  readonly token: number;
  /** log-prob of the token under the temperature-scaled distribution before top-k/top-p (T = 1 when greedy). */
  readonly logprob: number;
  /** Entropy (nats) of that same full distribution. */
  readonly entropy: number;
}

/**
 * Draw one token from `logits[offset .. offset + vocab)` with a uniform number in [0, 1), in
 * float64 on the CPU. Ties in top-k/top-p rank and in greedy argmax go to the smaller token id, so
 * the kept set is unique; the draw walks the kept tokens in id order (inverse CDF).
 *
 * @example
 * drawToken(Float32Array.of(0, Math.log(3)), 0, 2, { temperature: 1, topK: 0, topP: 1 }, 0.5);
 * // { token: 1, logprob: log(0.75), entropy: 0.562... }
 */
export function drawToken(
  logits: Float32Array,
  offset: number,
  vocab: number,
  settings: DrawSettings,
  uniform: number,
): TokenDraw {
  const greedy = settings.temperature === 0;
  const inverseTemperature = greedy ? 1 : 1 / settings.temperature;
  let maximum = Number.NEGATIVE_INFINITY;
  let argmax = 0;
  for (let token = 0; token < vocab; token++) {
    const value = logits[offset + token]!;
    if (value > maximum) {
      maximum = value;
      argmax = token;
    }
  }
  const probabilities = probabilitiesFor(vocab);
  let total = 0;
  for (let token = 0; token < vocab; token++) {
    const weight = Math.exp((logits[offset + token]! - maximum) * inverseTemperature);
    probabilities[token] = weight;
    total += weight;
  }
  const logTotal = Math.log(total);
  let entropy = 0;
  for (let token = 0; token < vocab; token++) {
    const p = probabilities[token]! / total;
    probabilities[token] = p;
    if (p > 0) entropy -= p * ((logits[offset + token]! - maximum) * inverseTemperature - logTotal);
  }
  const logprobOf = (token: number) => (logits[offset + token]! - maximum) * inverseTemperature - logTotal;
  if (greedy) return { token: argmax, logprob: logprobOf(argmax), entropy };
  const kept = truncate(probabilities, logits.subarray(offset, offset + vocab), settings.topK, settings.topP);
  let cumulative = 0;
  let lastKept = argmax;
  for (let token = 0; token < vocab; token++) {
    const p = kept[token]!;
    if (p <= 0) continue;
    cumulative += p;
    lastKept = token;
    if (uniform * kept.mass < cumulative) return { token, logprob: logprobOf(token), entropy };
  }
  // Only reached when round-off leaves the cumulative sum a hair below the kept mass.
  return { token: lastKept, logprob: logprobOf(lastKept), entropy };
}

/**
 * The float64 array a draw works in, one per vocabulary size and reused by every draw: allocating
 * it was most of a draw's time (an array buffer outside the JavaScript heap each token).
 */
let workspace = new Float64Array(0);
function probabilitiesFor(vocab: number): Float64Array {
  if (workspace.length !== vocab) workspace = new Float64Array(vocab);
  return workspace;
}

/**
 * Zero out the tokens that top-k / top-p drop; `mass` is what remains (not renormalised). Tokens
 * are ranked by logit, not by probability, so logits that differ by less than float64 rounding of
 * exp() still rank in their true order.
 */
function truncate(
  probabilities: Float64Array,
  logits: Float32Array,
  topK: number,
  topP: number,
): Float64Array & { mass: number } {
  if (topK === 0 && topP >= 1) return Object.assign(probabilities, { mass: 1 });
  const order = Array.from(probabilities.keys()).sort((x, y) => logits[y]! - logits[x]! || x - y);
  const limit = topK > 0 ? Math.min(topK, order.length) : order.length;
  const kept = new Float64Array(probabilities.length);
  let mass = 0;
  for (let rank = 0; rank < limit && mass < topP; rank++) {
    const token = order[rank]!;
    kept[token] = probabilities[token]!;
    mass += kept[token]!;
  }
  return Object.assign(kept, { mass });
}
