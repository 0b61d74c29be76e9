/**
 * process.exit() called by user code inside the daemon. Left alone it ends the node at once: no
 * terminate runs, the socket and pid file stay behind, nothing is logged. One process must not
 * take every other process's state down with it (in OTP only halt() does that, and no library
 * calls it), so while the guard is installed process.exit(code) throws RELX_EXIT_REFUSED where it
 * was called, after logging who called it. In a callback that crashes the calling process, as
 * any throw does (its caller gets the error, its supervisor policy restarts it), and so it does in
 * a timer or Node callback the process set; where no process can be named it is an uncaught
 * exception, logged. Either way the node carries on. A graceful stop of the node from code is
 * process.kill(process.pid, "SIGTERM"), as `relx stop` is from outside.
 *
 *   state      event                                  next
 *   installed  process.exit(n) from anyone            logged, RELX_EXIT_REFUSED thrown; installed
 *   installed  guard.exit(n) (the daemon itself)      Node's process.exit(n)
 *   installed  guard.remove() (boot failed)           removed: process.exit is Node's again
 */
import { RelxError } from "../errors.js";
import type { Log } from "./daemon-files.js";

export interface ExitGuard {
  /** The daemon's own exit: puts Node's process.exit back and calls it. */
  exit(code: number): never;
  /** Puts Node's process.exit back (the caller is about to exit on its own). */
  remove(): void;
}

/** Replaces process.exit with the guard until exit() or remove(). */
export function installExitGuard(log: Log): ExitGuard {
  const nodeExit = process.exit;
  const refuse = (code?: number | string | null): never => {
    const call = `process.exit(${code === undefined ? "" : JSON.stringify(code)})`;
    const hint = 'to stop the node, run `relx stop` or call process.kill(process.pid, "SIGTERM") (both stop it gracefully)';
    const error = new RelxError("RELX_EXIT_REFUSED", `${call} was refused: it would end the relx daemon and every process in it, with no terminate`, { hint });
    log(`${call} called inside the daemon; refused, the node carries on (${hint}): ${error.stack ?? error.message}`);
    throw error;
  };
  process.exit = refuse as typeof process.exit;
  const remove = (): void => {
    if (process.exit === refuse) process.exit = nodeExit;
  };
  return {
    exit(code) {
      remove();
      return nodeExit.call(process, code);
    },
    remove,
  };
}
