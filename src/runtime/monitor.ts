/**
 * Monitors (OTP's monitor/2): ctx.monitor(to) returns a ref; when `to` ends for good (a stop, an
 * exit, a give-up; not a restart in place, which keeps its pid) or is already gone, the watcher
 * gets `{ down: ref, pid, reason }` in handleInfo. ctx.demonitor(ref) cancels it.
 */
import { RelxError, textOf } from "../errors.js";
import { INFO } from "./message.js";
import type { Pid } from "./pid.js";
import type { Process } from "./process.js";
import { lookup } from "./registry.js";
import type { Dest } from "./types.js";

let nextRef = 1;

export function monitor(watcher: Process, to: Dest): number {
  const ref = nextRef++;
  const target = lookup(to);
  if (target === undefined) {
    watcher.deliver({ kind: INFO, msg: { down: ref, pid: to, reason: "noproc" }, from: null });
    return ref;
  }
  (target.ensureExtras().monitors ??= new Map()).set(ref, watcher.pid);
  (watcher.ensureExtras().watching ??= new Map()).set(ref, target.pid);
  return ref;
}

export function demonitor(watcher: Process, ref: number): void {
  const target = watcher.extras?.watching?.get(ref);
  if (target === undefined) return;
  watcher.extras!.watching!.delete(ref);
  lookup(target)?.extras?.monitors?.delete(ref);
}

/** `p` has ended for good: tell its watchers, and drop the monitors it held. */
export function notifyDown(p: Process, reason: unknown): void {
  const x = p.extras;
  if (x === null) return;
  if (x.monitors !== null) {
    const why = downReason(reason);
    for (const [ref, watcherPid] of x.monitors) {
      const watcher = lookup(watcherPid);
      if (watcher === undefined) continue;
      watcher.extras?.watching?.delete(ref);
      watcher.deliver({ kind: INFO, msg: { down: ref, pid: p.pid as Pid, reason: why }, from: null });
    }
    x.monitors = null;
  }
  if (x.watching !== null) {
    for (const [ref, targetPid] of x.watching) lookup(targetPid)?.extras?.monitors?.delete(ref);
    x.watching = null;
  }
}

/** The stop reason; for a crash, the message of the error the callback threw. */
function downReason(reason: unknown): unknown {
  if (reason instanceof RelxError && reason.code === "RELX_CALLBACK_FAILED" && reason.cause instanceof Error) return textOf(reason.cause);
  if (reason instanceof Error) return textOf(reason);
  return reason === undefined ? "normal" : reason;
}
