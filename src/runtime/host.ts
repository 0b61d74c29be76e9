/**
 * The host's door into the runtime: everything the daemon does to processes goes through here.
 * A process is handed out as an opaque ProcessRef (no fields to read or write); what the daemon
 * may know of one is a LiveProcess snapshot or a ProcessInfo.
 *
 * Throws: find → RELX_NO_SUCH_PROCESS; suspendWithin → RELX_SUSPEND_TIMEOUT; changeCodeAll →
 * RELX_CODE_CHANGE_FAILED; spawn → RELX_INIT_FAILED, RELX_NAME_TAKEN; cast → RELX_NO_HANDLER.
 */
import "./lifecycle.js";
import { RelxError } from "../errors.js";
import { aheadUsedInLastPass, mostTried, changeCodeAll as changeAll, computeAhead as aheadOf, resumeAll as resumeProcs, suspendAll, swapAll as swapProcs, warmCopies as warmStates, warmUp as warmProcs, type Rollback, type Tries } from "./bulk.js";
import { callProcess } from "./call.js";
import { DryRunCtx } from "./dry-run-ctx.js";
import { computeCodeChange, type CodeChangeRun, type Computed } from "./code-change.js";
import { runTerminate } from "./crash.js";
import { CAST } from "./message.js";
import { afterReleasing } from "./own.js";
import { processName, type Pid } from "./pid.js";
import type { Process } from "./process.js";
import { forEachProcess, lastPidId, mapProcesses, processCount as liveCount, processes, reclaimName as reclaim, releaseName as release, resolve } from "./registry.js";
import { startProcess } from "./spawn.js";
import type { OldVsn, ProcessInfo, RestartPolicy, ServerDef } from "./types.js";

export { setRuntimeObserver, type RuntimeEvent, type EventSubject } from "./events.js";
export { currentProcess, trackProcesses, type Attributed, type Tracking } from "./attribution.js";
import { currentProcess as currentProcessOf } from "./attribution.js";
import { lookup as lookupProcess } from "./registry.js";
export { setDefaultCallTimeout } from "./call.js";
export type { Rollback } from "./bulk.js";
export { isServerDef } from "./define.js";
export { PID_CLOSE, PID_OPEN, processName, type Pid } from "./pid.js";
export { renderValue, type Rendered } from "./render.js";
export type { OldVsn, ProcessInfo, RestartPolicy, ServerDef } from "./types.js";

declare const opaque: unique symbol;
/** A live process, as the host holds it: pass it back to this module's functions. */
export interface ProcessRef {
  readonly [opaque]: true;
}

const toRef = (p: Process): ProcessRef => p as unknown as ProcessRef;
const of = (r: ProcessRef): Process => r as unknown as Process;

/** What a plan needs to know of a live process. */
export interface LiveProcess {
  ref: ProcessRef;
  pid: Pid;
  name: string | null;
  server: string;
  vsn: string | null;
}

/** Every live process in start order, or with `sinceId` only those started after that pid id. */
export function snapshot(sinceId = 0): LiveProcess[] {
  return mapProcesses(sinceId, (p) => ({ ref: toRef(p), pid: p.pid, name: p.name, server: p.def.name, vsn: p.def.vsn ?? null }));
}

/**
 * snapshot's walk, with no record made: `visit` of each live process in start order (after
 * `sinceId`), with its registered name (or null), server and vsn. An upgrade's plan of 100,000.
 */
export function eachProcess(sinceId: number, visit: (ref: ProcessRef, name: string | null, server: string, vsn: string | null) => void): void {
  forEachProcess(sinceId, (p) => visit(toRef(p), p.name, p.def.name, p.def.vsn ?? null));
}

/** How many processes are alive. */
export function processCount(): number {
  return liveCount();
}

/** The id of the newest pid handed out: processes started later have higher ids. */
export function newestPidId(): number {
  return lastPidId();
}

export function find(dest: Pid | string): ProcessRef {
  return toRef(resolve(dest));
}

export function isAlive(ref: ProcessRef): boolean {
  return of(ref).alive;
}

export function nameOf(ref: ProcessRef): string {
  return processName(of(ref));
}

/** The process's registered name, or null: nameOf is then its pid's text (PID_OPEN, pidId, PID_CLOSE). */
export function registeredName(ref: ProcessRef): string | null {
  return of(ref).name;
}

export function pidId(ref: ProcessRef): number {
  return of(ref).pid.id;
}

export function info(ref: ProcessRef): ProcessInfo {
  return of(ref).info();
}

export function infoAll(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const p of processes()) out.push(p.info());
  return out;
}

export function call(ref: ProcessRef, msg: unknown, timeoutMs: number): Promise<unknown> {
  return callProcess(of(ref), msg, timeoutMs, null);
}

/** Casts, refusing (RELX_NO_HANDLER) a server with no handleCast: the CLI's user should know. */
export function cast(ref: ProcessRef, msg: unknown): void {
  const p = of(ref);
  if (p.def.handleCast === undefined) {
    throw new RelxError("RELX_NO_HANDLER", `${p.label} has no handleCast; the message was not sent`, {
      hint: `use \`relx call ${processName(p)} <json>\` or add handleCast to ${p.def.name}`,
      process: processName(p),
    });
  }
  p.deliver({ kind: CAST, msg, from: null });
}

/** The state, between messages. */
export function getState(ref: ProcessRef): unknown {
  const p = of(ref);
  return p.system(() => p.state);
}

export interface SpawnSpec {
  server: ServerDef;
  args: unknown;
  name: string;
  restart: RestartPolicy | undefined;
  /** An async init that takes longer fails the start (RELX_INIT_FAILED) and the process is ended. */
  initTimeoutMs: number;
}

export async function spawn(spec: SpawnSpec): Promise<ProcessRef> {
  const { server, args, name, restart, initTimeoutMs } = spec;
  return toRef(await startProcess(server, args, { name, restart, initTimeoutMs }));
}

/**
 * Suspends every process under one deadline (SPEC §7 step 4). One still busy with its message
 * when the deadline passes fails the whole step by name, and every process is resumed: OTP
 * silently skips such a process; relx refuses to upgrade around it.
 */
export async function suspendWithin(refs: ProcessRef[], timeoutMs: number): Promise<void> {
  const procs = refs as unknown as Process[];
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
  resumeProcs(procs);
  const first = stuck[0];
  const who = first ? first.label : "a process";
  const more = stuck.length > 1 ? ` (and ${stuck.length - 1} more)` : "";
  throw new RelxError("RELX_SUSPEND_TIMEOUT", `${who} could not be suspended within ${timeoutMs} ms: it is still handling a message${more}; nothing was changed`, {
    process: first ? processName(first) : undefined,
    hint: "retry when it is idle, or raise suspendTimeoutMs in relx.config.json",
  });
}

export function resumeAll(refs: ProcessRef[]): void {
  resumeProcs(refs as unknown as Process[]);
}

/** One code change for a run of processes: each gets `def`, its codeChange called with `oldVsn`. */
export interface CodeChange {
  refs: ProcessRef[];
  def: ServerDef;
  oldVsn: OldVsn;
}

export interface ChangeOptions {
  extra: unknown;
  /** Deadline for each async codeChange. */
  timeoutMs: number;
  /** What a fused pass that gave up computed (computedChanges()): the path taken instead uses it rather than call those codeChanges again. */
  computed?: ComputedChanges;
}

/** What codeChanges returned in a fused pass that gave up, per process (code-change.ts Computed). */
export type ComputedChanges = Computed;

export function computedChanges(): ComputedChanges {
  return new Map();
}

/** codeChange on every process, all or nothing; returns the rollback for a later failure. */
export function changeCodeAll(changes: CodeChange[], options: ChangeOptions): Promise<Rollback> {
  // A CodeChange is the runtime's own run with the processes behind its refs: no copy in the pause.
  return changeAll(changes as unknown as CodeChangeRun[], options);
}

/**
 * The fused pass (bulk.ts swapAll): every change in one synchronous loop, no suspend or resume,
 * when every process is idle and every codeChange synchronous. Null, with nothing changed, when
 * it does not apply; throws RELX_CODE_CHANGE_FAILED with every process put back. `allSync`: warmUp
 * has just said no codeChange is async, so the pass does not check again. `tried`: most of them
 * were tried ahead (computeAhead kept nine in ten or more of those that have one): the pass then
 * takes its two-loop form if it is small enough for computeAhead to have rehearsed it.
 */
export function swapAll(changes: CodeChange[], options: ChangeOptions, allSync = false, tried = false): Rollback | null {
  return swapProcs(changes as unknown as CodeChangeRun[], options, allSync, tried);
}

/**
 * Tries the codeChanges of `changes` ahead of the pause, while the node runs (bulk.ts
 * computeAhead); swapAll uses what is still valid. Returns what drops the tries left unused, and
 * how many were made, kept and wanted.
 */
export function computeAhead(changes: CodeChange[], extra: unknown, allSync = false): Promise<Tries> {
  return aheadOf(changes as unknown as CodeChangeRun[], extra, allSync);
}

export type { Tries };

/** Nine in ten or more of the tries wanted were kept (bulk.ts mostTried): the rule computeAhead and the upgrade share. */
export { mostTried };

/** How many processes of the last fused pass used the codeChange tried ahead for them. */
export function triedAheadUsed(): number {
  return aheadUsedInLastPass();
}

/** Copies a sample of the live states, the copies dropped, so that an upgrade's pause copies with optimized code (bulk.ts warmCopies). */
export function warmCopies(): void {
  warmStates((visit) => forEachProcess(0, visit), liveCount());
}

/** Readies what an upgrade's pause touches (bulk.ts warmUp); false when a codeChange is async, so the fused pass does not apply. */
export function warmUp(changes: CodeChange[]): boolean {
  return warmProcs(changes as unknown as CodeChangeRun[]);
}

/**
 * What codeChange (`def`'s up, the running code's down) would make of (a copy of) the process's
 * state; nothing is changed. It gets a dry run's ctx (dry-run-ctx.ts): what it sends goes nowhere;
 * and it runs as a stand-in of the process: an error it leaves uncaught crashes nothing.
 */
export function tryCodeChange(ref: ProcessRef, def: ServerDef, oldVsn: OldVsn, options: ChangeOptions): Promise<unknown> {
  const p = of(ref);
  const ctx = new DryRunCtx(p);
  const who = { pid: p.pid, name: p.name };
  return Promise.resolve()
    .then(() => computeCodeChange({ ref: p, def, oldVsn }, { ...options, ctx, who }))
    .finally(() => ctx.close());
}

/** The process runs `def` from its next message: the same code, loaded from another release. */
export function rebind(ref: ProcessRef, def: ServerDef): void {
  of(ref).def = def;
}

/** Frees the process's registered name while it is suspended, so a replacement can take it. */
export function releaseName(ref: ProcessRef): void {
  release(of(ref));
}

/** Gives it back (a rolled-back upgrade). */
export function reclaimName(ref: ProcessRef): void {
  reclaim(of(ref));
}

export interface StopOptions {
  reason: unknown;
  deadlineMs: number;
  /** Told the process's label when it is dropped at the deadline. */
  onLate(label: string): void;
}

/**
 * Stops a process for good: the message in hand finishes, terminate runs, it exits. One whose
 * terminate (or message in hand) takes longer than `deadlineMs` is dropped, and `onLate` told.
 * Never throws.
 */
export async function stopWithin(ref: ProcessRef, options: StopOptions): Promise<void> {
  const { reason, deadlineMs, onLate } = options;
  const p = of(ref);
  if (!p.alive) return;
  if (p.phase === "idle" && p.sysq === null && p.def.terminate === undefined) return p.exit(reason);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((done) => {
    timer = setTimeout(() => {
      onLate(p.label);
      p.exit(reason);
      done();
    }, deadlineMs);
  });
  const stopped = new Promise<void>((done) => {
    const terminateThenExit = () => new Promise<void>((end) => runTerminate(p, reason, () => afterReleasing(p, () => (p.exit(reason), end()))));
    Promise.resolve()
      .then(() => p.system(terminateThenExit))
      .then(() => done(), () => done());
  });
  try {
    await Promise.race([stopped, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every live process, newest first: the order a node stops them in. */
export function newestFirst(): ProcessRef[] {
  return processes().reverse().map(toRef);
}

/**
 * An uncaught error the host caught: if it came from a process's own code (a timer or a callback
 * that process registered, as attribution tells), that process crashes, its restart policy
 * applies; returns the process's name, or null when relx cannot tell whose it is.
 */
export function crashCurrent(error: unknown): string | null {
  const who = currentProcessOf();
  if (who === undefined) return null;
  const p = lookupProcess(who.pid);
  // Not the process itself: a stand-in (a dry run's, tryCodeChange; a try ahead of a pause, computeAhead), whose errors crash nothing.
  if (p === undefined || p !== who) return null;
  p.crashSoon({ error, message: null, callback: "a callback it registered" });
  return processName(p);
}

/**
 * Whose an uncaught error is when crashCurrent crashed nothing but relx can still tell: a dry
 * run's codeChange (its stand-in), or a process that has exited. Null when relx cannot tell.
 */
export function strayOwner(): string | null {
  const who = currentProcessOf();
  if (who === undefined) return null;
  const label = who.name === null ? String(who.pid) : `${who.name} ${who.pid}`;
  const p = lookupProcess(who.pid);
  if (p === undefined || p === who) return `from ${label}, which has exited`;
  return who.tried === "ahead" ? `from ${label}'s codeChange, tried ahead of an upgrade's pause, which crashes nothing` : `from ${label}'s codeChange in a dry run, which crashes nothing`;
}
