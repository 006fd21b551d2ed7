import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Most tests wait on child processes (alkyvm, simavr, mspdebug, Anvil),
    // so two workers keep a 2-core machine busy; vitest's default there is one.
    maxWorkers: 2,
  },
});
