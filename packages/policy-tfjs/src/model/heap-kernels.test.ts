import { describe, expect, it } from "vitest";
import { compiledBase64 } from "../../scripts/compile-wat.js";
import { HEAP_KERNELS_WASM } from "./heap-kernels-wasm.js";

describe("heap-kernels-wasm.ts", () => {
  it("holds the bytes that heap-kernels.wat compiles to", async () => {
    expect(HEAP_KERNELS_WASM).toBe(await compiledBase64());
  });
});
