import { BenchHarnessError, DatasetError, passAtK } from "@ibtpo/bench-harness";
import { Sfc32 } from "@ibtpo/random";
import { describe, expect, it, vi } from "vitest";
import { ConfigError } from "../config/config-error.js";
import { isUserFacingError, reportError } from "./report-error.js";

describe("reportError", () => {
  it("prints only the message of an error that names its place", () => {
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const error = (() => {
        try {
          passAtK(4, 5, 1);
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(reportError(error)).toBe(1);
      expect(write).toHaveBeenCalledWith("ibtpo: passAtK: correct must be an integer in [0, 4], got 5\n");
    } finally {
      write.mockRestore();
    }
  });

  it("recognises every package's error type by its marker, and nothing else", () => {
    expect(isUserFacingError(new ConfigError("bad key"))).toBe(true);
    expect(isUserFacingError(new BenchHarnessError("empty", "runComparison"))).toBe(true);
    expect(isUserFacingError(new DatasetError("data.jsonl", 3, "missing answer"))).toBe(true);
    expect(
      isUserFacingError(
        (() => {
          try {
            new Sfc32(0.5);
          } catch (error) {
            return error;
          }
        })(),
      ),
    ).toBe(true);
    expect(isUserFacingError(new RangeError("index out of range"))).toBe(false);
    const lookalike = new Error("runComparison: empty");
    lookalike.name = "BenchHarnessError";
    expect(isUserFacingError(lookalike)).toBe(false);
  });
});
