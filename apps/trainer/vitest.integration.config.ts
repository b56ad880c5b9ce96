import { defineConfig } from "vitest/config";

// The llama-server integration test: run with IBTPO_LLAMA_SERVER set (see integration/README.md).
export default defineConfig({
  test: {
    include: ["integration/**/*.integration.ts"],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
