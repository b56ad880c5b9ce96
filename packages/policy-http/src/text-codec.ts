/**
 * Text <-> token ids, structurally (a policy-tfjs `SymbolTokenizer` or bench-harness codec fits).
 *
 * @example
 * const codec: TextCodec = { encode: (text) => tokenizer.encode(text), decode: (ids) => tokenizer.decode(ids) };
 */
export interface TextCodec {
  encode(text: string): Int32Array;
  decode(tokens: ArrayLike<number>): string;
}
