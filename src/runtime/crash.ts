/**
 * What happens when a process's callback throws, returns a malformed result, or asks to stop:
 * the caller in hand gets the error, timers are cancelled, terminate runs (best effort), and
 * the restart policy decides between a fresh init from the start args and an exit. More than
 * `maxRestarts` restarts within `restartWindowMs` gives up, as an OTP supervisor does.
 */
import { RelxError, textOf } from "../errors.js";
import { runAs } from "./attribution.js";
import { emitRuntimeEvent } from "./events.js";
import { isThenable, type CrashInfo } from "./message.js";
import { processName } from "./pid.js";
import { afterReleasing } from "./own.js";
import type { Process } from "./process.js";

export const restartLimits = { maxRestarts: 3, restartWindowMs: 5000 };

export function handleCrash(p: Process, info: CrashInfo): void {
  p.begin();
  const requested = info.requested === true;
  const reason = requested ? info.error : callbackError(p, info);
  if (!requested) {
    if (info.message?.from) info.message.from.reject(reason);
    emitRuntimeEvent({ type: "crash", process: p, error: info.error, callback: info.callback });
  }
  cancelTimers(p);
  const restart = p.restart === "permanent" || (p.restart === "transient" && !isNormalReason(reason, requested));
  // After terminate, what the process owns is closed before it exits or its init runs again.
  const next = (): void => afterReleasing(p, () => {
    if (!p.alive) return;
    if (!restart) return p.exit(reason);
    if (tooManyRestarts(p)) {
      emitRuntimeEvent({ type: "giveup", process: p, error: reason });
      return p.exit(reason);
    }
    reinit(p);
  });
  if (info.callback === "init") return next();
  runTerminate(p, reason, next);
}

/** Calls terminate(reason, state) and then `next`, whatever terminate does. */
export function runTerminate(p: Process, reason: unknown, next: () => void): void {
  const terminate = p.def.terminate;
  if (terminate === undefined) return next();
  let r: unknown;
  try {
    r = runAs(p, () => terminate.call(p.def, reason, p.state, p.ctx));
  } catch {
    return next();
  }
  if (isThenable(r)) Promise.resolve(r).then(next, next);
  else next();
}

function reinit(p: Process): void {
  p.state = undefined;
  p.ensureExtras().incarnation++;
  let r: unknown;
  try {
    r = runAs(p, () => p.def.init(p.args, p.ctx));
  } catch (err) {
    return handleCrash(p, { error: err, message: null, callback: "init" });
  }
  const done = (state: unknown): void => {
    p.state = state;
    p.restarts++;
    emitRuntimeEvent({ type: "restart", process: p });
    p.idle();
  };
  if (isThenable(r)) Promise.resolve(r).then(done, (err) => handleCrash(p, { error: err, message: null, callback: "init" }));
  else done(r);
}

function tooManyRestarts(p: Process): boolean {
  const now = Date.now();
  const recent = (p.restartTimes ?? []).filter((t) => now - t < restartLimits.restartWindowMs);
  recent.push(now);
  p.restartTimes = recent;
  return recent.length > restartLimits.maxRestarts;
}

export function cancelTimers(p: Process): void {
  if (p.timers === null) return;
  for (const t of p.timers) clearTimeout(t);
  p.timers = null;
}

function isNormalReason(reason: unknown, requested: boolean): boolean {
  return requested && (reason === undefined || reason === "normal" || reason === "shutdown");
}

function callbackError(p: Process, info: CrashInfo): RelxError {
  if (info.error instanceof RelxError && info.error.code === "RELX_CALLBACK_FAILED") {
    return new RelxError(info.error.code, `${p.label} crashed in ${info.callback}: ${info.error.message}`, {
      process: processName(p),
      hint: info.error.hint,
    });
  }
  const text = textOf(info.error);
  return new RelxError("RELX_CALLBACK_FAILED", `${p.label} crashed in ${info.callback}: ${text}`, {
    cause: info.error,
    process: processName(p),
    hint: p.restart === "temporary" ? "the process is temporary and was not restarted"
      : willGiveUp(p) ? "it restarted too often and gave up (it stays down); see the log for the stack, and `relx status`: `relx restart <process>` starts a boot process again"
      : "it was restarted from its start args; see the log for the stack",
  });
}

/** Whether one more restart now would be one too many (what tooManyRestarts will decide). */
function willGiveUp(p: Process): boolean {
  const now = Date.now();
  const recent = (p.restartTimes ?? []).filter((t) => now - t < restartLimits.restartWindowMs);
  return recent.length + 1 > restartLimits.maxRestarts;
}
