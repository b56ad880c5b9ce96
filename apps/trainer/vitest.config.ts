import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The CLI tests spawn real training processes.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
