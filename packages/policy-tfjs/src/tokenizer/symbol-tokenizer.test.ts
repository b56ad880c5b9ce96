import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PolicyTfjsError } from "../errors.js";
import { SymbolTokenizer } from "./symbol-tokenizer.js";

describe("SymbolTokenizer", () => {
  const tokenizer = SymbolTokenizer.fromSymbols([..."0123456789+=", "10", "\n"]);

  it("puts the specials first and exposes the step delimiter id", () => {
    expect([tokenizer.padId, tokenizer.bosId, tokenizer.eosId]).toEqual([0, 1, 2]);
    expect(tokenizer.vocabSize).toBe(3 + 14);
    expect(tokenizer.stepDelimiterId).toBe(16);
    expect(tokenizer.tokenText(3)).toBe("0");
  });

  it("encodes by greedy longest match and decodes back", () => {
    const ids = tokenizer.encode("10+1=11\n", { bos: true, eos: true });
    expect(Array.from(ids)).toEqual([1, 15, 13, 4, 14, 4, 4, 16, 2]);
    expect(tokenizer.decode(ids)).toBe("10+1=11\n");
    expect(tokenizer.decode(ids, { keepSpecial: true })).toBe("<bos>10+1=11\n<eos>");
  });

  it("names the position of a character it cannot encode and of a bad id", () => {
    expect(() => tokenizer.encode("1+x")).toThrow(/text index 2.*"x"/);
    expect(() => tokenizer.decode([3, 99])).toThrow(/ids\[1\].*99/);
  });

  it("appends a missing step delimiter and rejects duplicates and reserved names", () => {
    expect(SymbolTokenizer.fromSymbols(["a", "b"]).stepDelimiterId).toBe(5);
    expect(() => SymbolTokenizer.fromSymbols(["a", "a"])).toThrow(/symbols\[1\].*duplicate/);
    expect(() => SymbolTokenizer.fromSymbols(["<eos>"])).toThrow(PolicyTfjsError);
  });

  it("round-trips through JSON with identical ids", () => {
    const restored = SymbolTokenizer.fromJSON(JSON.parse(JSON.stringify(tokenizer)));
    expect(restored.toJSON()).toEqual(tokenizer.toJSON());
    expect(Array.from(restored.encode("9=10\n"))).toEqual(Array.from(tokenizer.encode("9=10\n")));
    expect(() => SymbolTokenizer.fromJSON({ format: "other" })).toThrow(/tokenizer.format/);
  });

  it("decodes what it encodes for any text over its symbols", () => {
    const symbols = ["0", "1", "10", "+", "=", "\n", "ab", "a"];
    const multi = SymbolTokenizer.fromSymbols(symbols);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...symbols), { maxLength: 30 }), (pieces) => {
        const text = pieces.join("");
        expect(multi.decode(multi.encode(text))).toBe(text);
      }),
    );
  });
});
