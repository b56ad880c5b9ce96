import { Sfc32, seedStreams } from "@ibtpo/random";
import { checkCount } from "./check-option.js";
import { TreeSamplerError } from "./errors.js";
import {
  REFERENCE_DELIMITER,
  REFERENCE_EOS,
  REFERENCE_FIRST_SYMBOL,
  REFERENCE_QUESTION_END,
} from "./reference-policy.js";
import type { AnswerExtractor, RewardFunction } from "./sample-options.js";

export interface ReferenceTaskOptions {
  /** Number of prompts. */
  readonly prompts: number;
  readonly seed?: number;
  /** Symbols of the reference policy's vocabulary. Default 10. */
  readonly symbols?: number;
  /** Symbols per prompt (the question end "?" follows them). Default 4. */
  readonly promptLength?: number;
  /** Largest answer modulus; each prompt draws its own in [2, maxModulus]. Default 6. */
  readonly maxModulus?: number;
}

export interface ReferenceTask {
  readonly prompts: readonly Int32Array[];
  /** Per prompt: the modulus m and the target answer in [0, m). */
  readonly moduli: readonly number[];
  readonly targets: readonly number[];
  /** The toy verifier: 1 when the response ended with eos and its answer equals the target. */
  readonly reward: RewardFunction;
  /** A response's answer: the sum of its last line's symbol values modulo the prompt's m. */
  readonly answer: AnswerExtractor;
}

/** Symbols after the response's last delimiter (the answer line), or null when there are none. */
function answerOf(tokens: Int32Array, modulus: number): number | null {
  let sum = 0;
  let symbols = 0;
  for (let i = tokens.length - 1; i >= 0 && tokens[i] !== REFERENCE_DELIMITER; i--) {
    const token = tokens[i] as number;
    if (token >= REFERENCE_FIRST_SYMBOL) {
      sum += token - REFERENCE_FIRST_SYMBOL;
      symbols++;
    }
  }
  return symbols > 0 ? sum % modulus : null;
}

/**
 * A toy task for the reference policy: prompts of random symbols, and a verifier whose answer is
 * the sum of the last line's symbols modulo a per-prompt m (so prompts differ in difficulty, from
 * about 1/2 to 1/maxModulus chance accuracy). Exactly reproducible from the seed.
 *
 * @example
 * const task = createReferenceTask({ prompts: 8, seed: 3 });
 * task.reward(0, Int32Array.from([4, 5, REFERENCE_EOS]), "eos"); // 0 or 1
 */
export function createReferenceTask(options: ReferenceTaskOptions): ReferenceTask {
  const count = checkCount(options.prompts, "prompts");
  const symbols = checkCount(options.symbols ?? 10, "symbols");
  const promptLength = checkCount(options.promptLength ?? 4, "promptLength");
  const maxModulus = checkCount(options.maxModulus ?? 6, "maxModulus", 2);
  const random = new Sfc32(seedStreams.referenceTask(options.seed ?? 0));
  const prompts: Int32Array[] = [];
  const moduli: number[] = [];
  const targets: number[] = [];
  for (let index = 0; index < count; index++) {
    const prompt = Int32Array.from({ length: promptLength }, () => REFERENCE_FIRST_SYMBOL + random.nextInt(symbols));
    prompts.push(Int32Array.from([...prompt, REFERENCE_QUESTION_END]));
    const modulus = 2 + random.nextInt(maxModulus - 1);
    moduli.push(modulus);
    targets.push(prompt.reduce((sum, token) => sum + token - REFERENCE_FIRST_SYMBOL, 0) % modulus);
  }
  const modulusOf = (promptIndex: number): number => {
    const modulus = moduli[promptIndex];
    if (modulus === undefined)
      throw new TreeSamplerError(`no such prompt (the task has ${count})`, `prompt ${promptIndex}`);
    return modulus;
  };
  return {
    prompts,
    moduli,
    targets,
    reward(promptIndex, responseTokens, finishReason) {
      const modulus = modulusOf(promptIndex);
      if (finishReason !== "eos" || responseTokens[responseTokens.length - 1] !== REFERENCE_EOS) return 0;
      return answerOf(responseTokens, modulus) === targets[promptIndex] ? 1 : 0;
    },
    answer(promptIndex, responseTokens) {
      const answer = answerOf(responseTokens, modulusOf(promptIndex));
      return answer === null ? null : String(answer);
    },
  };
}
