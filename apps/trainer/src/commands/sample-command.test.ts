import { describe, expect, it } from "vitest";
import { extraBodyFlag } from "./sample-command.js";

describe("--extra-body", () => {
  it("takes a JSON object and names the flag when the text is not one", () => {
    expect(extraBodyFlag('{"repeat_penalty": 1.1, "samplers": ["temperature"]}')).toEqual({
      repeat_penalty: 1.1,
      samplers: ["temperature"],
    });
    expect(extraBodyFlag(undefined)).toBeUndefined();
    expect(() => extraBodyFlag("[1]")).toThrow(/--extra-body must be a JSON object/);
    expect(() => extraBodyFlag("{top_k: 1}")).toThrow(/--extra-body must be a JSON object, got "\{top_k: 1\}"/);
  });
});
