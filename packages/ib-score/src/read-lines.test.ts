import { describe, expect, it } from "vitest";
import { readUtf8Lines } from "./read-lines.js";

async function collect(chunks: (Uint8Array | string)[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of readUtf8Lines(chunks, "f.jsonl")) lines.push(line);
  return lines;
}

describe("readUtf8Lines", () => {
  it("splits on LF and CRLF across chunk boundaries, keeping multi-byte characters whole", async () => {
    const bytes = new TextEncoder().encode("añ\r\nb€\n\nlast");
    const chunks = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(await collect(chunks)).toEqual(["añ", "b€", "", "last"]);
    expect(await collect(["x\ny\n"])).toEqual(["x", "y"]);
  });

  it("reports a line that is not valid UTF-8 as file:line", async () => {
    const bad = Uint8Array.of(0x61, 0x0a, 0x7b, 0xff, 0x7d, 0x0a);
    await expect(collect([bad])).rejects.toThrow(/^f\.jsonl:2: not valid UTF-8$/);
  });
});
