import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Each example is a real process (tsx over the sources); policy-tfjs's trains a small model.
    testTimeout: 600_000,
  },
});
