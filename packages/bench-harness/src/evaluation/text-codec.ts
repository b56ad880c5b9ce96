import type { TextCodec } from "@ibtpo/tree-sampler";
import { BenchHarnessError } from "../errors.js";

/** A codec over a symbol list with an end token, for tests and stand-in policies. */
export interface SymbolCodec extends TextCodec {
  readonly eosToken: number;
  readonly size: number;
}

/**
 * A codec that reads text by greedy longest match over `symbols`; id 0 is the end token
 * (decoded as ""), symbol i has id i + 1.
 *
 * @example
 * const codec = createSymbolCodec(["1", "2", "+", "\n"]);
 * codec.encode("1+2"); // Int32Array [1, 3, 2]
 */
export function createSymbolCodec(symbols: readonly string[]): SymbolCodec {
  const ids = new Map(symbols.map((symbol, index) => [symbol, index + 1]));
  const longestFirst = [...ids.keys()].sort((a, b) => b.length - a.length);
  return {
    eosToken: 0,
    size: symbols.length + 1,
    encode(text) {
      const out: number[] = [];
      let position = 0;
      while (position < text.length) {
        const symbol = longestFirst.find((candidate) => text.startsWith(candidate, position));
        if (symbol === undefined) {
          throw new BenchHarnessError(
            `no symbol covers ${JSON.stringify(text[position])} at index ${position}`,
            "symbol codec",
          );
        }
        out.push(ids.get(symbol) as number);
        position += symbol.length;
      }
      return Int32Array.from(out);
    },
    decode(tokens) {
      let text = "";
      for (let i = 0; i < tokens.length; i++) {
        const id = tokens[i] as number;
        if (id === 0) continue;
        const symbol = symbols[id - 1];
        if (symbol === undefined) throw new BenchHarnessError(`unknown token id ${id} at index ${i}`, "symbol codec");
        text += symbol;
      }
      return text;
    },
  };
}
