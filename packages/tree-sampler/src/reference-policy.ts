import { deriveSeedMurmur3, Sfc32 } from "@ibtpo/random";
import { TreeSamplerError } from "./errors.js";
import { MarkovPolicy } from "./markov-policy.js";

/** Token ids of the reference vocabulary: end of sequence, step delimiter, end of question, symbols. */
export const REFERENCE_EOS = 0;
export const REFERENCE_DELIMITER = 1;
export const REFERENCE_QUESTION_END = 2;
export const REFERENCE_FIRST_SYMBOL = 3;

/**
 * How response lengths behave. 'progressive': symbols are progress levels that drift upwards and
 * only the top level may end the response, so lengths concentrate around a mean, as reasoning
 * traces do (a fork halfway has about half the response left). 'geometric': every symbol may end
 * the response with the same probability, so the remaining length is memoryless (a fork anywhere
 * has a full mean length left): the least favourable case for prefix reuse.
 */
export type ReferenceLengthModel = "progressive" | "geometric";

export interface ReferencePolicyOptions {
  readonly seed?: number;
  /** Number of ordinary symbols (token ids 3 .. symbols + 2). Default 10. */
  readonly symbols?: number;
  /** Default 'progressive'. */
  readonly lengthModel?: ReferenceLengthModel;
  /** P(step delimiter) after a symbol. Default 0.2. */
  readonly stepEndProbability?: number;
  /** P(end of sequence) after a symbol that may end (the top level, or any when geometric). Default 0.25 / 0.05. */
  readonly endProbability?: number;
  /** Spread of the symbols' seeded log-weights per context: 0 is uniform, larger is peakier. Default 1.5. */
  readonly spread?: number;
}

/** Relative weight of moving from progress level s to s + d in the progressive model. */
const PROGRESS_KERNEL = new Map([
  [-1, 0.5],
  [0, 1],
  [1, 1],
  [2, 0.5],
]);

function checkProbability(value: number, key: string): void {
  if (!(value >= 0 && value < 1)) throw new TreeSamplerError(`must be in [0, 1), got ${value}`, `option ${key}`);
}

/** A standard normal draw (Box-Muller). */
function gaussian(random: Sfc32): number {
  const u = 1 - random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}

/** Progress level of the last symbol in the context (-1 at the start of a response). */
function lastLevel(context: Int32Array): number {
  for (let i = context.length - 1; i >= 0; i--) {
    const token = context[i] as number;
    if (token === REFERENCE_QUESTION_END) return -1;
    if (token >= REFERENCE_FIRST_SYMBOL) return token - REFERENCE_FIRST_SYMBOL;
  }
  return -1;
}

/**
 * The reference policy: a seeded order-2 Markov chain over [eos, "\n", "?", symbols...] whose
 * responses look like short multi-step answers. Prompts end with "?". Each context gets its own
 * seeded symbol weights, so some positions are nearly certain and others are open, which is what
 * entropy- and IB-guided branching react to. Probabilities and entropies are exact
 * (`nextTokenProbabilities`, `nextTokenEntropy`).
 *
 * @example
 * const policy = createReferencePolicy({ seed: 1 });
 * policy.nextTokenProbabilities([REFERENCE_QUESTION_END]); // exact, sums to 1
 */
export function createReferencePolicy(options: ReferencePolicyOptions = {}): MarkovPolicy {
  const seed = options.seed ?? 0;
  const symbols = options.symbols ?? 10;
  const model = options.lengthModel ?? "progressive";
  const stepEnd = options.stepEndProbability ?? 0.2;
  const end = options.endProbability ?? (model === "progressive" ? 0.25 : 0.05);
  const spread = options.spread ?? 1.5;
  if (!Number.isInteger(symbols) || symbols < 1) {
    throw new TreeSamplerError(`must be an integer >= 1, got ${symbols}`, "option symbols");
  }
  if (model !== "progressive" && model !== "geometric") {
    throw new TreeSamplerError(`must be 'progressive' or 'geometric', got '${String(model)}'`, "option lengthModel");
  }
  checkProbability(stepEnd, "stepEndProbability");
  checkProbability(end, "endProbability");
  if (stepEnd + end >= 1) throw new TreeSamplerError("stepEndProbability + endProbability must be < 1", "options");
  if (!(spread >= 0 && spread < Number.POSITIVE_INFINITY)) {
    throw new TreeSamplerError(`must be a finite number >= 0, got ${spread}`, "option spread");
  }
  const vocabularySize = REFERENCE_FIRST_SYMBOL + symbols;
  return new MarkovPolicy({
    name: `reference-markov(${model}, seed ${seed})`,
    vocabularySize,
    order: 2,
    eosToken: REFERENCE_EOS,
    stepDelimiter: REFERENCE_DELIMITER,
    seed,
    probabilities(context) {
      const last = context.length > 0 ? (context[context.length - 1] as number) : REFERENCE_QUESTION_END;
      const level = lastLevel(context);
      const afterSymbol = last >= REFERENCE_FIRST_SYMBOL;
      const mayEnd = afterSymbol && (model === "geometric" || level === symbols - 1);
      const probabilities = new Float64Array(vocabularySize);
      probabilities[REFERENCE_EOS] = mayEnd ? end : 0;
      probabilities[REFERENCE_DELIMITER] = afterSymbol ? stepEnd : 0;
      const symbolMass = 1 - (probabilities[REFERENCE_EOS] as number) - (probabilities[REFERENCE_DELIMITER] as number);
      const random = new Sfc32(deriveSeedMurmur3(seed, context.length, ...context));
      const weights = Array.from({ length: symbols }, (_, next) => {
        const noise = Math.exp(spread * gaussian(random));
        return model === "geometric" ? noise : noise * (PROGRESS_KERNEL.get(next - Math.max(level, 0)) ?? 0);
      });
      const total = weights.reduce((sum, weight) => sum + weight, 0);
      for (const [index, weight] of weights.entries()) {
        probabilities[REFERENCE_FIRST_SYMBOL + index] = (symbolMass * weight) / total;
      }
      return probabilities;
    },
  });
}
