/**
 * Suspends processes under one deadline (SPEC §7 step 4). A process still busy with its message
 * when the deadline passes fails the whole step by name, and every process is resumed: OTP
 * silently skips such a process; relx refuses to upgrade around it.
 */
import { RelxError } from "../errors.js";
import { resumeAll, suspendAll } from "../runtime/bulk.js";
import type { Process } from "../runtime/process.js";

/** Throws RELX_SUSPEND_TIMEOUT naming the first process that did not suspend in time. */
export async function suspendWithin(procs: Process[], timeoutMs: number): Promise<void> {
  const waiting = suspendAll(procs);
  if (waiting === undefined) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = await Promise.race([
    waiting.then(() => false),
    new Promise<boolean>((done) => (timer = setTimeout(() => done(true), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (!timedOut) return;
  const stuck = procs.filter((p) => p.alive && p.busy);
  resumeAll(procs);
  const first = stuck[0];
  const who = first ? first.label : "a process";
  throw new RelxError("RELX_SUSPEND_TIMEOUT", `${who} could not be suspended within ${timeoutMs} ms: it is still handling a message${stuck.length > 1 ? ` (and ${stuck.length - 1} more)` : ""}; nothing was changed`, {
    process: first ? (first.name ?? String(first.pid)) : undefined,
    hint: "retry when it is idle, or raise suspendTimeoutMs in relx.config.json",
  });
}
