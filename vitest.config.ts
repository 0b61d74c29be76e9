import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

// The example app imports "relx" (and tests "relx/testing") as a user's code does; in tests that
// is this checkout's source.
const resolve = {
  alias: [
    { find: /^relx\/testing$/, replacement: fileURLToPath(new URL("./src/testing.ts", import.meta.url)) },
    { find: /^relx$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
  ],
};

const limits = {
  // Hang guards, not timing checks: on a 2-core machine shared with other test runs, the
  // 12-release old-code runbook took over 60 s (13 s alone).
  testTimeout: 300_000,
  hookTimeout: 300_000,
};

/**
 * Files that run relx in this process only (no daemon, no runtime processes of their own), and
 * leave nothing behind: they share their workers' processes and module caches instead of a fresh
 * fork each (~0.3 s of CPU a file). The runtime's tests stay isolated: the run queue and the
 * deadline timers are module state, which a test's fake timers can leave pointing at timers that
 * will never fire.
 */
const SHARED = ["test/{check,protocol,release,docs,client,daemon}/**/*.test.ts", "test/fleet/fleet-file.test.ts"];
/** In those folders, but mocking Node's modules and resetting the module cache: a fork of their own. */
const ALONE = ["test/daemon/heap.test.ts"];

function project(name: string, test: TestProjectInlineConfiguration["test"]): TestProjectInlineConfiguration {
  // Not `extends: true`: a project that extends the root config runs its globalSetup again.
  // Forks, not threads: a test calls process.umask, which worker threads may not.
  return { resolve, test: { name, pool: "forks", ...limits, ...test } };
}

export default defineConfig({
  resolve,
  test: {
    // Builds dist/ (what bin/relx runs) unless it is already built from the current sources.
    globalSetup: ["test/support/global-setup.ts"],
    projects: [
      project("shared", { include: SHARED, exclude: ALONE, isolate: false }),
      project("isolated", { include: ["test/**/*.test.ts"], exclude: SHARED }),
      project("alone", { include: ALONE }),
    ],
    ...limits,
    // vitest's default is cores - 1, which is one worker (all files in series) on 2 cores. The
    // suite is CPU-bound (its ~400 CLI and daemon processes): 2 workers on 2 cores ran the
    // integration files in 85 s where 4 took 93 s (both on a loaded machine).
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
