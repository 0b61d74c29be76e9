/**
 * The runtime's message API (SPEC §4): start, call, cast, send, whereis, stop.
 * call/start return promises; cast/send/whereis are synchronous.
 */
import "./lifecycle.js";
import { runTerminate } from "./crash.js";
import { callProcess, checkTimeout, defaultCallTimeoutMs } from "./call.js";
import { CAST, INFO } from "./message.js";
import { afterReleasing } from "./own.js";
import type { Pid } from "./pid.js";
import { lookup, resolve } from "./registry.js";
import { startProcess } from "./spawn.js";
import type { Dest, ServerDef, SpawnOptions } from "./types.js";

export { setDefaultCallTimeout } from "./call.js";
export { startProcess } from "./spawn.js";

/** Starts a process; resolves to its pid once init has returned. Throws RELX_INIT_FAILED, RELX_NAME_TAKEN, RELX_BAD_ARGUMENT. */
export async function start(server: ServerDef, args?: unknown, options: SpawnOptions = {}): Promise<Pid> {
  return (await startProcess(server, args, options)).pid;
}

/** Calls `dest` and resolves to its reply. Rejects with RELX_CALL_TIMEOUT, RELX_NO_SUCH_PROCESS, RELX_NO_HANDLER, RELX_CALLBACK_FAILED. */
export function call(dest: Dest, msg: unknown, timeoutMs: number = defaultCallTimeoutMs()): Promise<unknown> {
  try {
    const p = resolve(dest);
    if (timeoutMs !== defaultCallTimeoutMs()) checkTimeout(timeoutMs);
    return callProcess(p, msg, timeoutMs, null);
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Casts to `dest`'s handleCast. Throws RELX_NO_SUCH_PROCESS when nothing runs there. */
export function cast(dest: Dest, msg: unknown): void {
  resolve(dest).deliver({ kind: CAST, msg, from: null });
}

/** Sends to `dest`'s handleInfo. Throws RELX_NO_SUCH_PROCESS when nothing runs there. */
export function send(dest: Dest, msg: unknown): void {
  resolve(dest).deliver({ kind: INFO, msg, from: null });
}

/** The pid registered under `name`, or undefined. */
export function whereis(name: string): Pid | undefined {
  return lookup(name)?.pid;
}

/** Stops a process for good (no restart): waits for the message in hand, runs terminate, exits. */
export function stop(dest: Dest, reason: unknown = "normal"): Promise<void> {
  try {
    const p = resolve(dest);
    const terminateThenExit = () =>
      new Promise<void>((done) =>
        runTerminate(p, reason, () =>
          afterReleasing(p, () => {
            p.exit(reason);
            done();
          }),
        ),
      );
    return Promise.resolve(p.system(terminateThenExit));
  } catch (err) {
    return Promise.reject(err);
  }
}
