import { describe, expect, it } from "vitest";
import { compiledBase64 } from "../../scripts/compile-wat.js";
import { instantiateKernels } from "./heap-kernels.js";
import { HEAP_KERNEL_MODULES } from "./heap-kernels-wasm.js";
import { webAssemblyApi } from "./wasm-heap.js";

describe("heap-kernels-wasm.ts", () => {
  it("holds the bytes that heap-kernels.wat and optimizer-kernels.wat compile to", async () => {
    expect(HEAP_KERNEL_MODULES).toEqual(await compiledBase64());
  });

  it("keeps each module under the 4 KB that browsers compile synchronously on their main thread", () => {
    for (const base64 of HEAP_KERNEL_MODULES) expect(atob(base64).length).toBeLessThanOrEqual(4096);
  });
});

describe("instantiateKernels", () => {
  const api = webAssemblyApi()!;
  it("gives the kernels on an unshared memory", () => {
    const kernels = instantiateKernels(new api.Memory({ initial: 1 }), api);
    expect(typeof kernels?.scores).toBe("function");
    expect(typeof kernels?.adam).toBe("function");
  });

  it("gives null, not an error, on a shared memory (the threaded wasm backend's)", () => {
    expect(instantiateKernels(new api.Memory({ initial: 1, maximum: 4, shared: true }), api)).toBeNull();
  });

  it("gives null where the runtime rejects the module", () => {
    expect(instantiateKernels(new api.Memory({ initial: 1 }), { ...api, validate: () => false })).toBeNull();
  });
});
