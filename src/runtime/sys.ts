/**
 * sys (SPEC §4): OTP's sys module for relx processes. Every function returns a promise.
 * suspend waits for the message in hand; later messages queue in order. While suspended only
 * these system operations run. resume lets the queue go on, handled by whatever code is current.
 *
 * On an idle (or, for changeCode, suspended) process an operation is applied at once and the
 * answer is one already-settled promise: for suspend, resume and changeCode the same shared one,
 * so 100,000 of them allocate no pending operation, closure or promise chain per process.
 */
import { changeCodeAll, resumeAll, suspendAll } from "./bulk.js";
import { changeCode } from "./code-change.js";
import "./lifecycle.js";
import { isThenable } from "./message.js";
import { resolve } from "./registry.js";
import type { Dest, OldVsn, ProcessInfo, ServerDef } from "./types.js";

function attempt<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}

/** The answer of every operation done at once with nothing to return. */
const DONE: Promise<void> = Promise.resolve();

/** DONE for a synchronous success, the promise itself for a pending one. */
const settled = (r: void | Promise<void>): Promise<void> => (r === undefined ? DONE : r);

export const sys = {
  /** Resolves once the message in hand is done. Throws RELX_NO_SUCH_PROCESS. */
  suspend(dest: Dest): Promise<void> {
    try {
      return settled(resolve(dest).suspend());
    } catch (err) {
      return Promise.reject(err);
    }
  },

  /** Throws RELX_NO_SUCH_PROCESS. */
  resume(dest: Dest): Promise<void> {
    try {
      resolve(dest).resume();
      return DONE;
    } catch (err) {
      return Promise.reject(err);
    }
  },

  /** Throws RELX_NOT_SUSPENDED, RELX_CODE_CHANGE_FAILED, RELX_NO_SUCH_PROCESS, RELX_BAD_ARGUMENT. */
  changeCode(dest: Dest, def: ServerDef, oldVsn: OldVsn, extra?: unknown, options?: { timeoutMs?: number }): Promise<void> {
    try {
      return settled(changeCode({ ref: resolve(dest), def, oldVsn }, { extra, timeoutMs: options?.timeoutMs }));
    } catch (err) {
      return Promise.reject(err);
    }
  },

  /** The process's state, between messages. */
  getState(dest: Dest): Promise<unknown> {
    return attempt(() => {
      const p = resolve(dest);
      return p.system(() => p.state);
    });
  },

  /** Replaces the state with fn(state) (fn may be async); resolves to the new state. */
  replaceState(dest: Dest, fn: (state: any) => unknown): Promise<unknown> {
    return attempt(() => {
      const p = resolve(dest);
      return p.system(() => {
        const r = fn(p.state);
        if (!isThenable(r)) return (p.state = r);
        return Promise.resolve(r).then((s) => (p.state = s));
      });
    });
  },

  /** suspend on many processes; one promise, resolved when all are suspended. */
  suspendMany(dests: Dest[]): Promise<void> {
    return attempt(() => suspendAll(dests.map(resolve)));
  },

  /** changeCode on many processes, all or nothing: on a failure every one keeps its old code and state. */
  changeCodeMany(dests: Dest[], def: ServerDef, oldVsn: OldVsn, extra?: unknown, options?: { timeoutMs?: number }): Promise<void> {
    return attempt(async () => {
      await changeCodeAll([{ refs: dests.map(resolve), def, oldVsn }], { extra, timeoutMs: options?.timeoutMs });
    });
  },

  resumeMany(dests: Dest[]): Promise<void> {
    return attempt(() => resumeAll(dests.map(resolve)));
  },

  /** status, server name and vsn, queue length, messages handled, restarts. */
  getStatus(dest: Dest): Promise<ProcessInfo> {
    return attempt(() => resolve(dest).info());
  },
};
