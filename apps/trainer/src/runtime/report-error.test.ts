import { BenchHarnessError, DatasetError, passAtK } from "@ibtpo/bench-harness";
import { PolicyTfjsError } from "@ibtpo/policy-tfjs";
import { Sfc32 } from "@ibtpo/random";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../config/config-error.js";
import { Progress } from "./progress.js";
import { errorLine, isUserFacingError, reportError } from "./report-error.js";

const printed = () => {
  const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  return () => write.mock.calls.map(([text]) => String(text)).join("");
};
afterEach(() => vi.restoreAllMocks());

describe("reportError", () => {
  it("prints a known error as its message, one line, exit code 1", () => {
    const output = printed();
    expect(reportError(new ConfigError('config key "steps" (a.yaml:3): must be >= 1'))).toBe(1);
    expect(output()).toBe('ibtpo: config key "steps" (a.yaml:3): must be >= 1\n');
  });

  it("prints a checkpoint error with its file and tensor", () => {
    const error = new PolicyTfjsError("value 0 is NaN", 'run/model.safetensors tensor "w"');
    expect(errorLine(error)).toBe('run/model.safetensors tensor "w": value 0 is NaN');
  });

  it("prints a Node system error as its message, which names the path or address, with a hint", () => {
    const missing = Object.assign(new Error("ENOENT: no such file or directory, open 'runs/x/config.json'"), {
      code: "ENOENT",
    });
    expect(errorLine(missing)).toBe(
      "ENOENT: no such file or directory, open 'runs/x/config.json' (no such file or folder)",
    );
    const port = Object.assign(new Error("listen EADDRINUSE: address already in use 127.0.0.1:8000"), {
      code: "EADDRINUSE",
    });
    expect(errorLine(port)).toContain("127.0.0.1:8000 (another process uses this port");
  });

  it("keeps an unexpected error's stack only with debug", () => {
    const error = new TypeError("cannot read properties of undefined (reading 'x')");
    const plain = printed();
    reportError(error);
    expect(plain()).toBe(
      "ibtpo: TypeError: cannot read properties of undefined (reading 'x') (an unexpected error; run again with --debug for its stack trace)\n",
    );
    vi.restoreAllMocks();
    const debug = printed();
    reportError(error, { debug: true });
    expect(debug()).toContain(error.stack as string);
  });

  it("stops a progress bar that is still showing, so the process can end", () => {
    const stream = Object.assign(printedStream(), { isTTY: false });
    const progress = new Progress("train", 10, stream as unknown as NodeJS.WriteStream);
    const stop = vi.spyOn(progress, "stop");
    printed();
    reportError(new ConfigError("bad"));
    expect(stop).toHaveBeenCalledTimes(1);
    // A second stop (a finally block after the printer) is harmless.
    progress.stop();
  });
});

describe("isUserFacingError", () => {
  const thrown = (action: () => unknown): unknown => {
    try {
      action();
    } catch (error) {
      return error;
    }
    throw new Error("expected a throw");
  };

  it("prints a bench-harness error as its message, which names the function", () => {
    expect(errorLine(thrown(() => passAtK(4, 5, 1)))).toBe("passAtK: correct must be an integer in [0, 4], got 5");
  });

  it("recognises every package's error type by its marker, and nothing else", () => {
    expect(isUserFacingError(new ConfigError("bad key"))).toBe(true);
    expect(isUserFacingError(new BenchHarnessError("empty", "runComparison"))).toBe(true);
    expect(isUserFacingError(new DatasetError("data.jsonl", 3, "missing answer"))).toBe(true);
    expect(isUserFacingError(thrown(() => new Sfc32(0.5)))).toBe(true);
    expect(isUserFacingError(new RangeError("index out of range"))).toBe(false);
    const lookalike = new Error("runComparison: empty");
    lookalike.name = "BenchHarnessError";
    expect(isUserFacingError(lookalike)).toBe(false);
  });
});

function printedStream() {
  return { write: () => true, on: () => undefined, removeListener: () => undefined, columns: 80 };
}
