import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SequenceTrie } from "./sequence-trie.js";

const tokens = (...values: number[]) => Int32Array.from(values);
const startsWith = (sequence: readonly number[], prefix: readonly number[]) =>
  prefix.length <= sequence.length && prefix.every((token, index) => sequence[index] === token);

describe("SequenceTrie", () => {
  it("finds a stored sequence continuing a prefix, and the stored starts of a sequence", () => {
    const trie = new SequenceTrie<string>();
    trie.set(tokens(1, 2, 3), "a");
    trie.set(tokens(1, 2), "b");
    trie.set(tokens(1, 4), "c");
    expect(trie.continuing(tokens(1, 2, 3))).toBe("a");
    expect(["a", "b"]).toContain(trie.continuing(tokens(1, 2)));
    expect(trie.continuing(tokens(1, 4))).toBe("c");
    expect(trie.continuing(tokens(1, 2, 3, 4))).toBeUndefined();
    expect(trie.continuing(tokens(2))).toBeUndefined();
    expect(trie.startsOf(tokens(1, 2, 3, 9))).toEqual(["b", "a"]);
    expect(trie.startsOf(tokens(1, 4))).toEqual(["c"]);
    trie.delete(tokens(1, 2));
    trie.delete(tokens(1, 2)); // a second time: nothing
    expect(trie.startsOf(tokens(1, 2, 3))).toEqual(["a"]);
    trie.delete(tokens(1, 2, 3));
    expect(trie.continuing(tokens(1, 2))).toBeUndefined();
    expect(trie.continuing(tokens(1))).toBe("c");
    trie.clear();
    expect(trie.continuing(tokens())).toBeUndefined();
  });

  it("answers as a scan of the stored sequences does, through any adds and deletes", () => {
    const sequence = fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 5 });
    const operation = fc.record({ kind: fc.constantFrom("set", "delete", "query"), sequence });
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 40 }), (operations) => {
        const trie = new SequenceTrie<string>();
        const stored = new Map<string, number[]>();
        for (const { kind, sequence: values } of operations) {
          const key = values.join(",");
          if (kind === "set") {
            trie.set(Int32Array.from(values), key);
            stored.set(key, values);
          } else if (kind === "delete") {
            trie.delete(Int32Array.from(values));
            stored.delete(key);
          } else {
            const continuing = [...stored].filter(([, s]) => startsWith(s, values)).map(([k]) => k);
            const found = trie.continuing(Int32Array.from(values));
            if (continuing.length === 0) expect(found).toBeUndefined();
            else expect(continuing).toContain(found);
            const starts = [...stored.values()]
              .filter((s) => startsWith(values, s))
              .sort((x, y) => x.length - y.length)
              .map((s) => s.join(","));
            expect(trie.startsOf(Int32Array.from(values))).toEqual(starts);
          }
        }
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
