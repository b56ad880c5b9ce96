import type { SymbolTokenizer } from "@ibtpo/policy-tfjs";
import { ConfigError } from "../config/config-error.js";

/** SentencePiece's spelling of a space inside a piece (llama.cpp escapes spaces to it before matching). */
export const SENTENCEPIECE_SPACE = "\u2581";

/** Kind of each token in an exported vocabulary: the three specials, then text symbols. */
export interface ExportedVocabulary {
  /** Token texts by id (ids kept exactly). */
  readonly tokens: readonly string[];
  readonly padId: number;
  readonly bosId: number;
  readonly eosId: number;
  /** True for the special (control) tokens, by id. */
  readonly special: readonly boolean[];
}

/**
 * The vocabulary of a checkpoint's tokenizer as exported, ids unchanged. Engines tokenize text by
 * merging characters into known pieces, which is our greedy longest match only when every symbol
 * is one character (true of the built-in tasks); a longer symbol, or one that would collide with
 * SentencePiece's space mark, is refused rather than exported with a tokenizer that disagrees.
 */
export function exportedVocabulary(tokenizer: SymbolTokenizer, source: string): ExportedVocabulary {
  const tokens = Array.from({ length: tokenizer.vocabSize }, (_, id) => tokenizer.tokenText(id));
  const specialIds = new Set([tokenizer.padId, tokenizer.bosId, tokenizer.eosId]);
  tokens.forEach((text, id) => {
    if (specialIds.has(id)) return;
    if ([...text].length !== 1 || text === SENTENCEPIECE_SPACE) {
      throw new ConfigError(
        `${source} tokens[${id}] is ${JSON.stringify(text)}: only single-character symbols (other than U+2581) can be exported with a tokenizer that engines apply the same way`,
      );
    }
  });
  return {
    tokens,
    padId: tokenizer.padId,
    bosId: tokenizer.bosId,
    eosId: tokenizer.eosId,
    special: tokens.map((_, id) => specialIds.has(id)),
  };
}
