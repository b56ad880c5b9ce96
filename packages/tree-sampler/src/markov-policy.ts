import { deriveSeedMurmur3, Sfc32 } from "@ibtpo/random";
import { drawToken, entropyOf, temperatureScaled, truncatedDistribution } from "./distribution.js";
import { TreeSamplerError } from "./errors.js";
import type { Generation, GenerationRequest, Policy, SamplingSettings } from "./policy.js";

export interface MarkovPolicyOptions {
  readonly name?: string;
  readonly vocabularySize: number;
  /** The next token depends on the last `order` tokens of the prefix (fewer at its start). */
  readonly order: number;
  readonly eosToken: number;
  /** The token that ends a step, exposed as `Policy.stepDelimiter`. */
  readonly stepDelimiter?: number;
  /** Next-token probabilities for a context (the last <= `order` tokens); must sum to 1. */
  readonly probabilities: (context: Int32Array) => ArrayLike<number>;
  /** Seeds requests that carry no seed of their own, in call order. Default 0. */
  readonly seed?: number;
}

const PROBABILITY_TOLERANCE = 1e-9;

/**
 * A tabular k-th order Markov `Policy` with exactly known next-token probabilities and entropies:
 * the reference policy for tests, examples and benchmarks (a real Policy: it honours temperature,
 * top-k, top-p, stop tokens, max tokens and per-request seeds).
 *
 * @example
 * const policy = new MarkovPolicy({
 *   vocabularySize: 3, order: 1, eosToken: 0,
 *   probabilities: (context) => (context[0] === 2 ? [0.5, 0.25, 0.25] : [0.1, 0.45, 0.45]),
 * });
 * const [generation] = await policy.generate([{ prefix: [2], settings: { maxTokens: 8, seed: 1 } }]);
 */
export class MarkovPolicy implements Policy {
  readonly name: string;
  readonly eosToken: number;
  readonly stepDelimiter: number | undefined;
  readonly providesEntropies = true;
  readonly vocabularySize: number;
  readonly order: number;
  private readonly table: (context: Int32Array) => ArrayLike<number>;
  private readonly cache = new Map<string, Float64Array>();
  private readonly fallbackSeeds: Sfc32;

  constructor(options: MarkovPolicyOptions) {
    const { vocabularySize, order, eosToken } = options;
    if (!Number.isInteger(vocabularySize) || vocabularySize < 2) {
      throw new TreeSamplerError(`must be an integer >= 2, got ${vocabularySize}`, "option vocabularySize");
    }
    if (!Number.isInteger(order) || order < 0) {
      throw new TreeSamplerError(`must be an integer >= 0, got ${order}`, "option order");
    }
    checkToken(eosToken, vocabularySize, "option eosToken");
    if (options.stepDelimiter !== undefined) checkToken(options.stepDelimiter, vocabularySize, "option stepDelimiter");
    this.name = options.name ?? `markov(order ${order}, ${vocabularySize} tokens)`;
    this.vocabularySize = vocabularySize;
    this.order = order;
    this.eosToken = eosToken;
    this.stepDelimiter = options.stepDelimiter;
    this.table = options.probabilities;
    this.fallbackSeeds = new Sfc32(options.seed ?? 0);
  }

  /** The exact next-token distribution after `prefix` (at temperature 1), validated and cached. */
  nextTokenProbabilities(prefix: ArrayLike<number>): Float64Array {
    const start = Math.max(0, prefix.length - this.order);
    const context = Int32Array.from({ length: prefix.length - start }, (_, i) => prefix[start + i] as number);
    const key = context.join(",");
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const probabilities = Float64Array.from(this.table(context));
    this.checkDistribution(probabilities, key);
    this.cache.set(key, probabilities);
    return probabilities;
  }

  /** Entropy (nats) of the next-token distribution after `prefix` at `temperature`. */
  nextTokenEntropy(prefix: ArrayLike<number>, temperature = 1): number {
    return entropyOf(temperatureScaled(this.nextTokenProbabilities(prefix), temperature));
  }

  async generate(requests: readonly GenerationRequest[], options: { readonly signal?: AbortSignal } = {}) {
    return requests.map((request, index) => {
      options.signal?.throwIfAborted();
      return this.generateOne(request, index);
    });
  }

  private generateOne(request: GenerationRequest, index: number): Generation {
    const location = `request ${index}`;
    const settings = checkSettings(request.settings, location);
    const stopTokens = new Set(settings.stopTokens ?? []);
    const random = new Sfc32(settings.seed ?? deriveSeedMurmur3(this.fallbackSeeds.nextUint32()));
    const sequence = Array.from(request.prefix);
    for (const [position, token] of sequence.entries())
      checkToken(token, this.vocabularySize, `${location} prefix[${position}]`);
    const tokens = new Int32Array(settings.maxTokens);
    const logprobs = new Float64Array(settings.maxTokens);
    const entropies = new Float64Array(settings.maxTokens);
    let finishReason: Generation["finishReason"] = "length";
    let count = 0;
    while (count < settings.maxTokens) {
      const scaled = temperatureScaled(this.nextTokenProbabilities(sequence), settings.temperature ?? 1);
      const sampling = truncatedDistribution(scaled, settings.topK ?? 0, settings.topP ?? 1);
      const token = drawToken(sampling, random.next());
      tokens[count] = token;
      logprobs[count] = Math.log(scaled[token] as number);
      entropies[count] = entropyOf(scaled);
      count++;
      sequence.push(token);
      if (token === this.eosToken) finishReason = "eos";
      else if (stopTokens.has(token)) finishReason = "stop";
      if (finishReason !== "length") break;
    }
    return {
      tokens: tokens.slice(0, count),
      logprobs: logprobs.slice(0, count),
      entropies: entropies.slice(0, count),
      finishReason,
    };
  }

  private checkDistribution(probabilities: Float64Array, contextKey: string): void {
    const location = `probabilities for context [${contextKey}]`;
    if (probabilities.length !== this.vocabularySize) {
      throw new TreeSamplerError(`has ${probabilities.length} entries, expected ${this.vocabularySize}`, location);
    }
    let total = 0;
    for (const [token, p] of probabilities.entries()) {
      if (!(p >= 0 && p <= 1)) throw new TreeSamplerError(`token ${token} has probability ${p}`, location);
      total += p;
    }
    if (Math.abs(total - 1) > PROBABILITY_TOLERANCE)
      throw new TreeSamplerError(`sums to ${total}, expected 1`, location);
  }
}

function checkToken(token: number, vocabularySize: number, location: string): void {
  if (!Number.isInteger(token) || token < 0 || token >= vocabularySize) {
    throw new TreeSamplerError(`token ${token} is outside the vocabulary [0, ${vocabularySize})`, location);
  }
}

function checkSettings(settings: SamplingSettings, location: string): SamplingSettings {
  const { maxTokens, temperature = 1, topP = 1, topK = 0 } = settings;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new TreeSamplerError(`maxTokens must be an integer >= 1, got ${maxTokens}`, location);
  }
  if (!(temperature > 0 && temperature < Number.POSITIVE_INFINITY)) {
    throw new TreeSamplerError(`temperature must be a finite number > 0, got ${temperature}`, location);
  }
  if (!(topP > 0 && topP <= 1)) throw new TreeSamplerError(`topP must be in (0, 1], got ${topP}`, location);
  if (!Number.isInteger(topK) || topK < 0)
    throw new TreeSamplerError(`topK must be an integer >= 0, got ${topK}`, location);
  if (settings.seed !== undefined && !Number.isSafeInteger(settings.seed)) {
    throw new TreeSamplerError(`seed must be a safe integer, got ${settings.seed}`, location);
  }
  return settings;
}
