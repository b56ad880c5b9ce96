import { defineConfig } from "tsup";

export default defineConfig({
  // The root entry is pure TypeScript; only the `tfjs` entry imports @tensorflow/tfjs (a peer, never bundled).
  entry: { index: "src/index.ts", tfjs: "src/tfjs/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
});
