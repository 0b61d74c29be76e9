/**
 * The one temp-dir helper: short roots (a Unix socket path is limited to ~107 bytes) under the OS
 * temp dir. The cleanup hooks print each root's daemon log when the test (or file) failed, stop
 * the daemon if one is listening, and remove the root.
 *
 * | made with                   | removed by                                             |
 * |-----------------------------|--------------------------------------------------------|
 * | tempRoot()                  | afterEach(cleanupRoots), or else afterAll(cleanupAllRoots) |
 * | tempRoot({ scope: "file" }) | afterAll(cleanupAllRoots) only                           |
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "../../src/client/request.js";
import { waitForExit } from "../../src/cli/wait-exit.js";
import { socketOf } from "./daemon.js";

interface Root {
  dir: string;
  scope: "test" | "file";
}

const roots: Root[] = [];

/** A fresh, empty temp dir with a short path. "file": it outlives each test (made in beforeAll). */
export function tempRoot(options: { scope?: "test" | "file" } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "rx-"));
  roots.push({ dir, scope: options.scope ?? "test" });
  return dir;
}

/** What vitest hands afterEach (a test context: `task`) or afterAll (a file or suite: `tasks`). */
type Finished = { task?: { result?: { state?: string } }; result?: { state?: string }; tasks?: { result?: { state?: string } }[] };

function failed(done: Finished | undefined): boolean {
  if (done === undefined) return false;
  const states = [done.task?.result?.state, done.result?.state, ...(done.tasks ?? []).map((t) => t.result?.state)];
  return states.includes("fail");
}

/**
 * afterEach(cleanupRoots): the test's roots. Their daemon logs are printed here if it failed
 * (vitest runs onTestFailed after the hooks, when the roots would be gone).
 */
export async function cleanupRoots(test?: Finished): Promise<void> {
  await cleanup((r) => r.scope === "test", test);
}

/**
 * afterAll(cleanupAllRoots): every root left, those made for the whole file too. The empty
 * pattern is for vitest: a suite hook's first argument is its fixtures, the second the suite.
 */
// eslint-disable-next-line no-empty-pattern
export async function cleanupAllRoots({}: object, suite?: Finished): Promise<void> {
  await cleanup(() => true, suite);
}

async function cleanup(which: (root: Root) => boolean, done: Finished | undefined): Promise<void> {
  const mine = roots.filter(which);
  roots.splice(0, roots.length, ...roots.filter((r) => !mine.includes(r)));
  if (failed(done)) mine.forEach((r) => printLog(r.dir));
  await Promise.all(mine.map(async ({ dir }) => {
    if (existsSync(socketOf(dir))) await stopDaemon(socketOf(dir));
    rmSync(dir, { recursive: true, force: true });
  }));
}

/**
 * What `relx stop` does (src/cli/commands/daemon-ops.ts), from this process: ask the daemon on
 * `socket` to stop, then wait for its process to exit. Cleanup, not a test of stop (the lifecycle
 * tests run the real command): it saves a CLI process (~0.15 s of CPU) for each root left running,
 * and, like `relx stop`, never fails: nothing listening, or a daemon that answers something else,
 * is left to the rmSync.
 */
async function stopDaemon(socket: string): Promise<void> {
  try {
    const { pid } = await request(socket, { op: "stop" }, { awaitClose: true });
    await waitForExit(pid);
  } catch {
    // nothing to stop, or nothing more to do
  }
}

/** Prints the daemon log of `root`, if it has one. */
export function printLog(root: string): void {
  const log = join(root, ".relx", "log", "daemon.log");
  if (existsSync(log)) console.error(`--- daemon log of ${root} ---\n${readFileSync(log, "utf8")}`);
}
