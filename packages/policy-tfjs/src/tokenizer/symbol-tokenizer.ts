import { PolicyTfjsError } from "../errors.js";

/** The serialised form of a {@link SymbolTokenizer}, stored as `tokenizer.json` in checkpoints. */
export interface SymbolTokenizerJson {
  readonly format: "ibtpo-symbol-tokenizer";
  readonly version: 1;
  /** Every token's text by id: the three specials first, then the symbols. */
  readonly tokens: readonly string[];
  readonly stepDelimiter: string;
}

/** Text of the special tokens; they have ids 0, 1, 2 and never match text. */
export const SPECIAL_TOKENS = { pad: "<pad>", bos: "<bos>", eos: "<eos>" } as const;

/**
 * A tokenizer over a small symbol vocabulary (mostly single characters). Ids: PAD = 0, BOS = 1,
 * EOS = 2, then the symbols in the given order. Text is encoded by greedy longest match, so
 * multi-character symbols such as "10" win over "1" + "0". The step delimiter (default "\n") is an
 * ordinary symbol whose id is exposed; it is appended if the list lacks it.
 *
 * @example
 * const tokenizer = SymbolTokenizer.fromSymbols([..."0123456789+=", "\n"]);
 * const ids = tokenizer.encode("1+2=3\n", { bos: true }); // Int32Array [1, 4, 13, 5, 14, 6, 15]
 * tokenizer.decode(ids); // "1+2=3\n" (specials are dropped unless { keepSpecial: true })
 */
export class SymbolTokenizer {
  readonly padId = 0;
  readonly bosId = 1;
  readonly eosId = 2;
  readonly stepDelimiterId: number;
  readonly vocabSize: number;
  private readonly tokens: readonly string[];
  private readonly idBySymbol: Map<string, number>;
  private readonly longestSymbol: number;

  private constructor(
    tokens: readonly string[],
    readonly stepDelimiter: string,
  ) {
    this.tokens = tokens;
    this.vocabSize = tokens.length;
    this.idBySymbol = new Map();
    let longest = 1;
    tokens.forEach((text, id) => {
      if (id < 3) return;
      this.idBySymbol.set(text, id);
      longest = Math.max(longest, text.length);
    });
    this.longestSymbol = longest;
    this.stepDelimiterId = this.idBySymbol.get(stepDelimiter) ?? -1;
  }

  /** Build a tokenizer from a task's symbol list; symbols must be distinct, non-empty and not special names. */
  static fromSymbols(symbols: readonly string[], options: { readonly stepDelimiter?: string } = {}): SymbolTokenizer {
    const stepDelimiter = options.stepDelimiter ?? "\n";
    const all = symbols.includes(stepDelimiter) ? [...symbols] : [...symbols, stepDelimiter];
    const seen = new Set<string>();
    all.forEach((symbol, index) => {
      if (typeof symbol !== "string" || symbol.length === 0) {
        throw new PolicyTfjsError("a symbol must be a non-empty string", `symbols[${index}]`);
      }
      if (Object.values(SPECIAL_TOKENS).includes(symbol as never)) {
        throw new PolicyTfjsError(`"${symbol}" is reserved for a special token`, `symbols[${index}]`);
      }
      if (seen.has(symbol))
        throw new PolicyTfjsError(`duplicate symbol ${JSON.stringify(symbol)}`, `symbols[${index}]`);
      seen.add(symbol);
    });
    return new SymbolTokenizer([SPECIAL_TOKENS.pad, SPECIAL_TOKENS.bos, SPECIAL_TOKENS.eos, ...all], stepDelimiter);
  }

  /** Rebuild a tokenizer saved with {@link SymbolTokenizer.toJSON}; ids are preserved exactly. */
  static fromJSON(json: unknown): SymbolTokenizer {
    const value = json as Partial<SymbolTokenizerJson> | null;
    if (value?.format !== "ibtpo-symbol-tokenizer" || value.version !== 1) {
      throw new PolicyTfjsError("not an ibtpo-symbol-tokenizer version 1 document", "tokenizer.format");
    }
    const tokens = value.tokens;
    if (!Array.isArray(tokens) || tokens.length < 4)
      throw new PolicyTfjsError("expected a token list", "tokenizer.tokens");
    const specials = [SPECIAL_TOKENS.pad, SPECIAL_TOKENS.bos, SPECIAL_TOKENS.eos];
    specials.forEach((special, id) => {
      if (tokens[id] !== special) throw new PolicyTfjsError(`expected ${special}`, `tokenizer.tokens[${id}]`);
    });
    const rebuilt = SymbolTokenizer.fromSymbols(tokens.slice(3), { stepDelimiter: value.stepDelimiter ?? "\n" });
    if (rebuilt.vocabSize !== tokens.length) {
      throw new PolicyTfjsError("the step delimiter is missing from the token list", "tokenizer.stepDelimiter");
    }
    return rebuilt;
  }

  toJSON(): SymbolTokenizerJson {
    return {
      format: "ibtpo-symbol-tokenizer",
      version: 1,
      tokens: [...this.tokens],
      stepDelimiter: this.stepDelimiter,
    };
  }

  /** Text of one id (specials as `<pad>`, `<bos>`, `<eos>`). */
  tokenText(id: number): string {
    const text = this.tokens[id];
    if (text === undefined) throw new PolicyTfjsError(`token id ${id} is outside the vocabulary of ${this.vocabSize}`);
    return text;
  }

  /** Encode text by greedy longest match; optionally prepend BOS and append EOS. */
  encode(text: string, options: { readonly bos?: boolean; readonly eos?: boolean } = {}): Int32Array {
    const ids: number[] = options.bos ? [this.bosId] : [];
    let position = 0;
    while (position < text.length) {
      let matched = 0;
      for (let length = Math.min(this.longestSymbol, text.length - position); length >= 1; length--) {
        const id = this.idBySymbol.get(text.slice(position, position + length));
        if (id !== undefined) {
          ids.push(id);
          matched = length;
          break;
        }
      }
      if (matched === 0) {
        throw new PolicyTfjsError(
          `cannot encode ${JSON.stringify(text[position])}: not in the vocabulary`,
          `text index ${position}`,
        );
      }
      position += matched;
    }
    if (options.eos) ids.push(this.eosId);
    return Int32Array.from(ids);
  }

  /** Decode ids to text; specials are dropped unless `keepSpecial` is set. */
  decode(ids: ArrayLike<number>, options: { readonly keepSpecial?: boolean } = {}): string {
    let text = "";
    for (let index = 0; index < ids.length; index++) {
      const id = ids[index]!;
      const token = this.tokens[id];
      if (token === undefined || !Number.isInteger(id)) {
        throw new PolicyTfjsError(`token id ${id} is outside the vocabulary of ${this.vocabSize}`, `ids[${index}]`);
      }
      if (id >= 3 || options.keepSpecial) text += token;
    }
    return text;
  }
}
