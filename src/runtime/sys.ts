/**
 * sys (SPEC §4): OTP's sys module for relx processes. Every function returns a promise.
 * suspend waits for the message in hand; later messages queue in order. While suspended only
 * these system operations run. resume lets the queue go on, handled by whatever code is current.
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

export const sys = {
  /** Resolves once the message in hand is done. Throws RELX_NO_SUCH_PROCESS. */
  suspend(dest: Dest): Promise<void> {
    return attempt(() => resolve(dest).suspend());
  },

  /** Throws RELX_NO_SUCH_PROCESS. */
  resume(dest: Dest): Promise<void> {
    return attempt(() => resolve(dest).resume());
  },

  /** Throws RELX_NOT_SUSPENDED, RELX_CODE_CHANGE_FAILED, RELX_NO_SUCH_PROCESS, RELX_BAD_ARGUMENT. */
  changeCode(dest: Dest, def: ServerDef, oldVsn: OldVsn, extra?: unknown, options?: { timeoutMs?: number }): Promise<void> {
    return attempt(() => changeCode({ ref: resolve(dest), def, oldVsn }, { extra, timeoutMs: options?.timeoutMs }));
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
      const items = dests.map((d) => ({ ref: resolve(d), def, oldVsn }));
      await changeCodeAll(items, { extra, timeoutMs: options?.timeoutMs });
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
