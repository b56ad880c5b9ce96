import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The CLI tests start real processes (tsx + node), which take seconds on a loaded machine.
    testTimeout: 60_000,
  },
});
