import { describe, expect, it } from "vitest";
import { compareChildWorkers, parseWorkersFlag, resolveTrainingWorkers } from "./training-workers.js";

describe("parseWorkersFlag", () => {
  it("reads auto and counts, and names the flag on anything else", () => {
    expect(parseWorkersFlag("auto")).toBe("auto");
    expect(parseWorkersFlag("0")).toBe(0);
    expect(parseWorkersFlag("3")).toBe(3);
    for (const bad of ["", "-1", "1.5", "two", "Auto"]) {
      expect(() => parseWorkersFlag(bad)).toThrow(`--workers must be auto or an integer >= 0, got "${bad}"`);
    }
  });
});

describe("resolveTrainingWorkers", () => {
  it("auto starts one worker on a single-threaded backend with a second core", () => {
    expect(resolveTrainingWorkers("auto", { cores: 2, backend: "wasm" })).toBe(1);
    expect(resolveTrainingWorkers("auto", { cores: 16, backend: "cpu" })).toBe(1);
    expect(resolveTrainingWorkers("auto", { cores: 1, backend: "wasm" })).toBe(0);
    expect(resolveTrainingWorkers("auto", { cores: 8, backend: "tensorflow" })).toBe(0);
  });

  it("keeps an explicit count, and refuses workers on a backend that uses every core", () => {
    expect(resolveTrainingWorkers(0, { cores: 8, backend: "tensorflow" })).toBe(0);
    expect(resolveTrainingWorkers(2, { cores: 1, backend: "wasm" })).toBe(2);
    expect(() => resolveTrainingWorkers(1, { cores: 8, backend: "tensorflow" })).toThrow(
      '--workers 1 needs the wasm or cpu backend; the "tensorflow" backend',
    );
  });
});

describe("compareChildWorkers", () => {
  it("gives children a worker only when every child has a spare core", () => {
    expect(compareChildWorkers(1, 2)).toBe("auto");
    expect(compareChildWorkers(2, 2)).toBe(0);
    expect(compareChildWorkers(2, 4)).toBe("auto");
    expect(compareChildWorkers(3, 4)).toBe(0);
    expect(compareChildWorkers(1, 1)).toBe(0);
  });
});
