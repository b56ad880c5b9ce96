import { defineConfig } from "tsup";

export default defineConfig({
  // The model worker is its own entry: worker threads load it by path, next to the bundle.
  entry: {
    index: "src/index.ts",
    "model-worker": "src/workers/model-worker.ts",
    "sft-loss-module": "src/training/sft-loss-module.ts",
  },
  format: ["esm", "cjs"],
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  // Gives the CommonJS build an import.meta.url, used to find the worker script.
  shims: true,
  target: "node20",
});
