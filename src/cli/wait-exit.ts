/**
 * Waiting for a process to be gone, so that `relx stop` returns only once the daemon has exited,
 * not merely once it has closed its socket.
 */
import { readFileSync } from "node:fs";
import { RelxError } from "../errors.js";

const POLL_MS = 10;
/** Past the daemon's own bound on a stop (15 s), with room for its exit handlers. */
export const EXIT_WAIT_MS = 30_000;

/** Resolves once `pid` has exited. Throws RELX_STOP_TIMEOUT if it is still running after EXIT_WAIT_MS. */
export async function waitForExit(pid: number, waitMs = EXIT_WAIT_MS): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) {
      throw new RelxError("RELX_STOP_TIMEOUT", `the daemon (pid ${pid}) answered stop but is still running ${waitMs / 1000} s later`, {
        hint: `see \`relx logs\`; end it with \`kill ${pid}\` (SIGTERM), or \`kill -9 ${pid}\``,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Whether `pid` runs. An exited process its parent has not reaped yet (a zombie) does not. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (comm) S …"; comm may hold spaces and parentheses, so take the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state === "Z" || state === "X";
  } catch {
    return false; // no /proc (macOS): kill(pid, 0) is all there is
  }
}
