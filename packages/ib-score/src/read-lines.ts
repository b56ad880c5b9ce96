import { IbScoreInputError } from "./errors.js";

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * The lines of a byte stream, each decoded as strict UTF-8: a line that is not valid UTF-8 is an
 * error `source:line: not valid UTF-8` rather than text with U+FFFD in it (two different prompt
 * ids would otherwise decode to the same string and merge into one tree). A trailing `\r` is
 * dropped, so CRLF files read like LF files.
 *
 * @example
 * for await (const line of readUtf8Lines(createReadStream("rollouts.jsonl"), "rollouts.jsonl")) {}
 */
export async function* readUtf8Lines(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  source: string,
): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  let pending: Uint8Array[] = [];
  let pendingLength = 0;
  let lineNumber = 0;
  const decode = (bytes: Uint8Array): string => {
    lineNumber++;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CARRIAGE_RETURN) end--;
    try {
      return decoder.decode(bytes.subarray(0, end));
    } catch {
      throw new IbScoreInputError("not valid UTF-8", `${source}:${lineNumber}`);
    }
  };
  const takePending = (tail: Uint8Array): Uint8Array => {
    if (pendingLength === 0) return tail;
    const joined = new Uint8Array(pendingLength + tail.length);
    let offset = 0;
    for (const part of pending) {
      joined.set(part, offset);
      offset += part.length;
    }
    joined.set(tail, offset);
    pending = [];
    pendingLength = 0;
    return joined;
  };
  for await (const chunk of input) {
    const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
    let start = 0;
    for (let newline = bytes.indexOf(NEWLINE); newline !== -1; newline = bytes.indexOf(NEWLINE, start)) {
      yield decode(takePending(bytes.subarray(start, newline)));
      start = newline + 1;
    }
    if (start < bytes.length) {
      // Copy: a stream may reuse its chunk buffers.
      const rest = bytes.slice(start);
      pending.push(rest);
      pendingLength += rest.length;
    }
  }
  if (pendingLength > 0) yield decode(takePending(new Uint8Array(0)));
}
