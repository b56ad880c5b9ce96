/**
 * The README blocks tied to an example file. A block is announced by an HTML comment on the line
 * before its fence: `<!-- output of examples/x.ts -->` (what the example prints on stdout) or
 * `<!-- code of examples/x.ts -->` (a verbatim excerpt of the example's source).
 */
export interface ReadmeBlock {
  readonly kind: "output" | "code";
  /** The example's path relative to the package folder. */
  readonly example: string;
  readonly text: string;
  /** 1-based line of the announcing comment. */
  readonly line: number;
}

const MARKER = /^<!-- (output|code) of (\S+) -->$/;

export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split("\n");
  const blocks: ReadmeBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const marker = MARKER.exec(lines[index]?.trim() ?? "");
    if (marker === null) continue;
    const fence = lines[index + 1] ?? "";
    if (!fence.startsWith("```")) throw new Error(`README line ${index + 1}: a fenced block must follow ${marker[0]}`);
    const end = lines.findIndex((line, at) => at > index + 1 && line.startsWith("```"));
    if (end < 0) throw new Error(`README line ${index + 2}: the block is not closed`);
    blocks.push({
      kind: marker[1] as "output" | "code",
      example: marker[2] as string,
      text: lines.slice(index + 2, end).join("\n"),
      line: index + 1,
    });
  }
  return blocks;
}

/**
 * Whether printed output matches a README block: line by line, where a block line `...` stands
 * for any number of lines and a block line ending in `...` for any line that starts with the rest.
 */
export function outputMatches(expected: string, actual: string): boolean {
  const want = expected.split("\n");
  const got = actual.replace(/\n$/, "").split("\n");
  const match = (w: number, g: number): boolean => {
    if (w === want.length) return g === got.length;
    const line = want[w] as string;
    if (line === "...") {
      for (let skip = g; skip <= got.length; skip++) if (match(w + 1, skip)) return true;
      return false;
    }
    if (g === got.length) return false;
    const actualLine = got[g] as string;
    const same = line.endsWith("...") ? actualLine.startsWith(line.slice(0, -3)) : actualLine === line;
    return same && match(w + 1, g + 1);
  };
  return match(0, 0);
}
