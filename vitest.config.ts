import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // The example app imports "relx" (and tests "relx/testing") as a user's code does; in tests that
  // is this checkout's source.
  resolve: {
    alias: [
      { find: /^relx\/testing$/, replacement: fileURLToPath(new URL("./src/testing.ts", import.meta.url)) },
      { find: /^relx$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // Builds dist/ (what bin/relx runs) unless it is already built from the current sources.
    globalSetup: ["test/support/global-setup.ts"],
    // Hang guards, not timing checks: on a 2-core machine shared with other test runs, the
    // 12-release old-code runbook took over 60 s (13 s alone).
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Forks, not threads: a test calls process.umask, which worker threads may not.
    pool: "forks",
    // vitest's default is cores - 1, which is one worker (all files in series) on 2 cores. The
    // suite is CPU-bound (its ~400 CLI and daemon processes): 2 workers on 2 cores ran the
    // integration files in 85 s where 4 took 93 s (both on a loaded machine).
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
