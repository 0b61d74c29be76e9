/** A call to a process (one PendingCall in its mailbox), and the default call timeout. */
import { RelxError, describeValue } from "../errors.js";
import { CALL } from "./message.js";
import { PendingCall } from "./pending-call.js";
import type { Pid } from "./pid.js";
import type { Process } from "./process.js";
import { MAX_TIMER_MS } from "./timeouts.js";

let callTimeoutMs = 5000;

export function defaultCallTimeoutMs(): number {
  return callTimeoutMs;
}

export function setDefaultCallTimeout(ms: number): void {
  callTimeoutMs = checkTimeout(ms);
}

/** Delivers a call to `p`; the promise settles with the reply or an error (RELX_CALL_TIMEOUT …). */
export function callProcess(p: Process, msg: unknown, timeoutMs: number, caller: Pid | null): Promise<unknown> {
  const pending = new PendingCall(caller, p, timeoutMs);
  p.deliverParts(CALL, msg, pending);
  return pending.promise();
}

/** `ms` when it is a usable timeout. Throws RELX_BAD_ARGUMENT. */
export function checkTimeout(ms: unknown): number {
  if (typeof ms === "number" && ((ms > 0 && ms <= MAX_TIMER_MS) || ms === Infinity)) return ms;
  throw new RelxError("RELX_BAD_ARGUMENT", `expected a timeout in ms greater than 0 and at most ${MAX_TIMER_MS} (or Infinity), got ${describeValue(ms)}`);
}
