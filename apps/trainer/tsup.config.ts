import { defineConfig } from "tsup";

export default defineConfig({
  // The RL loss is its own entry: worker threads import it by URL, next to the bundle.
  entry: {
    cli: "src/cli.ts",
    "policy-loss-module": "src/train/policy-loss-module.ts",
  },
  format: ["esm"],
  sourcemap: true,
  clean: true,
  target: "node20",
});
