/**
 * Splits text into vocabulary symbols by greedy longest match (how the policy tokenizer reads
 * it) and returns the index of the first character no symbol covers, or -1 when all is covered.
 *
 * @example
 * firstUncovered(["1", "2", "+", "\n"], "1+2\n"); // -1
 * firstUncovered(["1", "2"], "1+2"); // 1
 */
export function firstUncovered(vocabulary: readonly string[], text: string): number {
  const symbols = [...new Set(vocabulary)].filter((symbol) => symbol.length > 0).sort((a, b) => b.length - a.length);
  let position = 0;
  while (position < text.length) {
    const symbol = symbols.find((candidate) => text.startsWith(candidate, position));
    if (symbol === undefined) return position;
    position += symbol.length;
  }
  return -1;
}

/** The sorted distinct characters of some texts: a vocabulary that covers all of them. */
export function characterVocabulary(texts: Iterable<string>): string[] {
  const characters = new Set<string>();
  for (const text of texts) for (const character of text) characters.add(character);
  return [...characters].sort();
}
