import type { TokenRow } from "@ibtpo/policy-tfjs";

/** A training row: the prompt's tokens followed by the response's, with the prompt length. */
export function tokenRow(prompt: ArrayLike<number>, response: ArrayLike<number>): TokenRow {
  const tokens = new Int32Array(prompt.length + response.length);
  tokens.set(prompt);
  tokens.set(response, prompt.length);
  return { tokens, promptLength: prompt.length };
}
