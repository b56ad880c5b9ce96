/**
 * Turns text into token ids and back: what a task's verifier or an HTTP policy needs from a
 * tokenizer. Structural, so policy-tfjs's `SymbolTokenizer`, bench-harness's symbol codec or any
 * other tokenizer fits without a dependency on it.
 *
 * @example
 * const codec: TextCodec = { encode: (text) => tokenizer.encode(text), decode: (ids) => tokenizer.decode(ids) };
 */
export interface TextCodec {
  encode(text: string): Int32Array;
  decode(tokens: ArrayLike<number>): string;
}
