import type { TextCodec } from "@ibtpo/tree-sampler";

/** vLLM's `return_tokens_as_token_ids` spelling of a token: `"token_id:123"`. */
const TOKEN_ID_PATTERN = /^token_id:(\d+)$/;

/**
 * How a client recovers token ids from the token strings of `logprobs.tokens`:
 * - `"token-id-strings"`: the server spells each token `"token_id:<id>"` (vLLM and `ibtpo serve`
 *   with `return_tokens_as_token_ids: true`);
 * - a {@link TextCodec}: each token string must encode to exactly one id (symbol vocabularies;
 *   byte-level BPE vocabularies are not safe this way, use token-id strings there).
 * A `token_ids` array on the choice (vLLM's `return_token_ids`) is used first when present.
 */
export type TokenIdSource = "token-id-strings" | TextCodec;

/** The id of one token string, or a message saying why it has none. */
export function tokenIdOf(token: unknown, source: TokenIdSource): number | string {
  if (typeof token !== "string") return `expected a string, got ${JSON.stringify(token)}`;
  if (source === "token-id-strings") {
    const match = TOKEN_ID_PATTERN.exec(token);
    return match === null
      ? `${JSON.stringify(token)} is not of the form "token_id:<id>" (ask the server for return_tokens_as_token_ids, or pass a codec)`
      : Number(match[1]);
  }
  const ids = source.encode(token);
  return ids.length === 1 ? (ids[0] as number) : `${JSON.stringify(token)} encodes to ${ids.length} tokens, not one`;
}
