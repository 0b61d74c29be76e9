/** The end of a process: unregister it and fail everything still waiting on it. */
import { RelxError, textOf } from "../errors.js";
import { cancelTimers } from "./crash.js";
import { emitRuntimeEvent } from "./events.js";
import { notifyDown } from "./monitor.js";
import { releaseOwned } from "./own.js";
import { processName } from "./pid.js";
import type { Process } from "./process.js";
import { unregister } from "./registry.js";

export function finishExit(p: Process, reason: unknown): void {
  if (!p.alive) return;
  p.markExited();
  cancelTimers(p);
  unregister(p);
  // Made only for a process that has someone waiting: a node stopping 100,000 idle ones makes none.
  if ((p.mailbox !== null && p.mailbox.length > 0) || p.hasSysq()) {
    const text = reason === undefined ? "normal" : textOf(reason);
    const err = new RelxError("RELX_PROCESS_EXITED", `${p.label} exited (${text}) before it handled this request`, {
      hint: "see the running processes with `relx status`",
      process: processName(p),
    });
    for (const m of p.mailbox?.drain() ?? []) m.from?.reject(err);
    for (const s of p.sysq?.drain() ?? []) s.done.reject(err);
  }
  p.mailbox = null;
  p.sysq = null;
  const waiters = p.suspendWaiters;
  p.suspendWaiters = null;
  for (const w of waiters ?? []) w();
  void releaseOwned(p); // what a stop or a crash has not closed already (a process dropped at a deadline)
  notifyDown(p, reason);
  emitRuntimeEvent({ type: "exit", process: p, reason });
}
