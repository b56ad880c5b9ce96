import { TreeSamplerError } from "./errors.js";

/**
 * Cuts a token span into steps (docs/METHOD.md section 1). `stepEnds` returns the exclusive end offset
 * of every step, ascending, the last one equal to `tokens.length`; every step has >= 1 token.
 *
 * A sampler that continues a prefix ending inside a step passes the step's head followed by the
 * new tokens, so a segmenter sees whole steps; it should not cut inside that head (if it does,
 * the cut is ignored and the head stays in the first step).
 *
 * @example
 * const newline = 1;
 * delimiterSegmenter([newline]).stepEnds(Int32Array.from([5, 6, 1, 7, 0])); // [3, 5]
 */
export interface Segmenter {
  readonly name: string;
  stepEnds(tokens: Int32Array): readonly number[];
}

/**
 * A step ends after any of the delimiter tokens (default in samplers: the policy's step
 * delimiter, "\n"); the rest of the span after the last delimiter is the final step.
 *
 * @example
 * delimiterSegmenter([1]).stepEnds(Int32Array.from([4, 1, 1, 5])); // [2, 3, 4]
 */
export function delimiterSegmenter(delimiters: readonly number[]): Segmenter {
  if (delimiters.length === 0) throw new TreeSamplerError("give at least one delimiter token", "delimiterSegmenter");
  for (const [index, token] of delimiters.entries()) {
    if (!Number.isInteger(token) || token < 0) {
      throw new TreeSamplerError(`delimiter ${index} is ${token}, expected a token id`, "delimiterSegmenter");
    }
  }
  const isDelimiter = new Set(delimiters);
  return {
    name: `delimiter(${delimiters.join(",")})`,
    stepEnds(tokens) {
      const ends: number[] = [];
      for (let i = 0; i < tokens.length; i++) if (isDelimiter.has(tokens[i] as number)) ends.push(i + 1);
      if (ends[ends.length - 1] !== tokens.length) ends.push(tokens.length);
      return ends;
    },
  };
}

/**
 * Steps of a fixed number of tokens (TreePO style); the last step may be shorter.
 *
 * @example
 * fixedLengthSegmenter(2).stepEnds(Int32Array.from([4, 4, 4, 4, 4])); // [2, 4, 5]
 */
export function fixedLengthSegmenter(length: number): Segmenter {
  if (!Number.isInteger(length) || length < 1) {
    throw new TreeSamplerError(`step length must be an integer >= 1, got ${length}`, "fixedLengthSegmenter");
  }
  return {
    name: `fixed(${length})`,
    stepEnds(tokens) {
      const ends: number[] = [];
      for (let end = length; end < tokens.length; end += length) ends.push(end);
      ends.push(tokens.length);
      return ends;
    },
  };
}

/**
 * Any rule as a segmenter; the result is checked on every call so a faulty rule fails loudly.
 *
 * @example
 * // one step per token
 * functionSegmenter("per-token", (tokens) => Array.from(tokens, (_, i) => i + 1));
 */
export function functionSegmenter(name: string, stepEnds: (tokens: Int32Array) => readonly number[]): Segmenter {
  return {
    name,
    stepEnds(tokens) {
      const ends = stepEnds(tokens);
      checkStepEnds(ends, tokens.length, `segmenter '${name}'`);
      return ends;
    },
  };
}

/** Throws unless `ends` is strictly ascending, starts above 0 and finishes at `length`. */
export function checkStepEnds(ends: readonly number[], length: number, location: string): void {
  let previous = 0;
  for (const [index, end] of ends.entries()) {
    if (!Number.isInteger(end) || end <= previous || end > length) {
      throw new TreeSamplerError(
        `step end ${index} is ${end}; ends must be integers ascending strictly from above 0 up to ${length}`,
        location,
      );
    }
    previous = end;
  }
  if (previous !== length) {
    throw new TreeSamplerError(`the last step end is ${previous}, expected the span length ${length}`, location);
  }
}
