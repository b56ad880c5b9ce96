import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { selectBackend } from "./select-backend.js";

const silent = () => {};
const absent = (missing: readonly string[]) => async (specifier: string) => {
  if (missing.includes(specifier)) {
    throw Object.assign(new Error(`Cannot find package '${specifier}'`), { code: "ERR_MODULE_NOT_FOUND" });
  }
  return import(specifier);
};

describe("selectBackend", () => {
  it("falls back past the libtensorflow packages (absent on this machine) to wasm, and says why", async () => {
    const lines: string[] = [];
    const selection = await selectBackend({ log: (line) => lines.push(line), environment: {} });
    expect(selection.choice).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(selection.skipped.map((s) => s.choice)).toEqual(["node-gpu", "node"]);
    expect(lines).toEqual([selection.line]);
    expect(selection.line).toMatch(
      /^policy-tfjs backend: wasm \(skipped node-gpu: @tensorflow\/tfjs-node-gpu .*; node: /,
    );
  });

  it("falls back to the pure-JS cpu backend when wasm is absent too", async () => {
    const missing = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node", "@tensorflow/tfjs-backend-wasm"];
    const selection = await selectBackend({ log: silent, importModule: absent(missing), environment: {} });
    expect(selection.choice).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(selection.line).toContain("wasm: @tensorflow/tfjs-backend-wasm is not installed");
  });

  it("reports a package that is installed but fails to load (a missing native binding)", async () => {
    const importModule = async (specifier: string) => {
      if (specifier === "@tensorflow/tfjs-node-gpu") throw new Error("libtensorflow.so.2: cannot open shared object");
      return absent(["@tensorflow/tfjs-node"])(specifier);
    };
    const selection = await selectBackend({ log: silent, importModule, environment: {} });
    expect(selection.skipped[0]?.reason).toBe(
      "@tensorflow/tfjs-node-gpu failed to load (libtensorflow.so.2: cannot open shared object)",
    );
    expect(selection.choice).toBe("wasm");
  });

  it("honours the option and the IBTPO_BACKEND variable, and refuses a forced backend that cannot start", async () => {
    expect((await selectBackend({ backend: "cpu", log: silent })).choice).toBe("cpu");
    const fromEnvironment = await selectBackend({ log: silent, environment: { IBTPO_BACKEND: "wasm" } });
    expect(fromEnvironment.line).toBe("policy-tfjs backend: wasm (forced by IBTPO_BACKEND)");
    await expect(selectBackend({ backend: "node", log: silent })).rejects.toThrow(/backend: .*"node" is not usable/);
    await expect(selectBackend({ log: silent, environment: { IBTPO_BACKEND: "gpu" } })).rejects.toThrow(
      /IBTPO_BACKEND: unknown backend "gpu"/,
    );
  });

  it("warns when tfjs-node-gpu runs without a GPU device (the silent CPU fallback)", async () => {
    // Stand-in for tfjs-node-gpu without CUDA: it registers a "tensorflow" backend with no GPU device.
    const CpuBackend = tf.findBackend("cpu")!.constructor as new () => tf.KernelBackend;
    const importModule = async (specifier: string) => {
      if (specifier !== "@tensorflow/tfjs-node-gpu") return absent([specifier])(specifier);
      tf.registerBackend("tensorflow", () => Object.assign(new CpuBackend(), { isUsingGpuDevice: false }));
      return {};
    };
    try {
      const selection = await selectBackend({ log: silent, importModule, environment: {} });
      expect(selection.choice).toBe("node-gpu");
      expect(selection.usingGpu).toBe(false);
      expect(selection.line).toContain("found no GPU device, so this runs on the CPU");
    } finally {
      tf.removeBackend("tensorflow");
      await selectBackend({ backend: "wasm", log: silent });
    }
  });
});
