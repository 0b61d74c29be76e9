/**
 * changeCode (SPEC §4): only while suspended. With a string oldVsn the *passed* definition's
 * codeChange runs (upgrade); with `{ down: vsn }` the *running* one's (downgrade, as OTP does).
 * Either way the passed definition runs afterwards. If codeChange throws, times out or returns
 * a malformed state, the process keeps its old code and old state and stays suspended.
 * codeChange is given a copy of the state's plain data (copyState), so one that edits it in place
 * and then fails leaves the old state as it was.
 */
import { RelxError, describeValue } from "../errors.js";
import { enter, leave, type Attributed } from "./attribution.js";
import { copyState } from "./copy-state.js";
import { isServerDef } from "./define.js";
import { isThenable } from "./message.js";
import { processName } from "./pid.js";
import type { Process } from "./process.js";
import type { Ctx, OldVsn, ServerDef } from "./types.js";

/** One process's code change: its new definition and the oldVsn its codeChange receives. */
export interface CodeChangeItem {
  ref: Process;
  def: ServerDef;
  oldVsn: OldVsn;
}

/**
 * One code change for a run of processes: the same new definition and oldVsn for each (an
 * upgrade's processes of one server and vsn). What the bulk operations take (bulk.ts).
 */
export interface CodeChangeRun {
  refs: Process[];
  def: ServerDef;
  oldVsn: OldVsn;
}

/** What every codeChange of one change receives or is bound by. */
export interface ChangeCodeOptions {
  extra: unknown;
  /** Deadline for an async codeChange (default: none). */
  timeoutMs?: number;
  /**
   * What codeChanges already returned for some processes (a fused pass that gave up, bulk.ts
   * swapAll, fills it): each is used once, in place of calling codeChange a second time, if the
   * process still has the state it was computed from. So a codeChange runs once per process and
   * upgrade, and what it sends or starts happens once.
   */
  computed?: Computed;
  /** The ctx codeChange receives, when not the process's own (a dry run's, dry-run-ctx.ts). */
  ctx?: Ctx;
  /**
   * Whom what codeChange runs (and what it starts: timers, promises) is attributed to, when not
   * the process: a dry run's stand-in, of the same pid and name, so that its output is stamped
   * with the process, but a stray error of it crashes no process (host.crashCurrent).
   */
  who?: Attributed;
}

/** What one codeChange returned (a value, or a promise of one) for a process, and from what. */
export interface ComputedChange {
  from: unknown;
  holder: ServerDef;
  oldVsn: OldVsn;
  result: unknown;
}

/** Per process, what its codeChanges returned, in its listings' order (a process listed twice has two). */
export type Computed = Map<Process, ComputedChange[]>;

/** Swaps the process's code and state; void when done synchronously, else a promise. Throws RELX_NOT_SUSPENDED, RELX_CODE_CHANGE_FAILED, RELX_BAD_ARGUMENT. */
export function changeCode(item: CodeChangeItem, options: ChangeCodeOptions): void | Promise<void> {
  const { ref: p, def, oldVsn } = item;
  checkArgs(def, oldVsn);
  if (!p.suspended) throw notSuspended(p);
  // Suspended with nothing in hand or queued (an upgrade's common case): done here, with no system
  // operation queued; an async codeChange holds the process busy as a system operation would.
  if (p.phase === "suspended" && !p.hasSysq()) {
    const r = computeCodeChange(item, options);
    if (!isThenable(r)) return apply(p, def, r);
    p.begin();
    return Promise.resolve(r)
      .then((state) => apply(p, def, state))
      .finally(() => p.idle());
  }
  return p.system(() => {
    if (!p.suspended) throw notSuspended(p);
    const r = computeCodeChange(item, options);
    if (!isThenable(r)) return apply(p, def, r);
    return Promise.resolve(r).then((state) => apply(p, def, state));
  });
}

/**
 * The state `codeChange` makes of a copy of the process's state, without applying it: a value, or
 * a promise of one when codeChange is async.
 */
export function computeCodeChange(item: CodeChangeItem, options: ChangeCodeOptions): unknown {
  const { ref: p, oldVsn } = item;
  const state = p.state;
  const holder = codeChangeHolder(item);
  const fn = holder.codeChange;
  if (fn === undefined) return state;
  let r: unknown;
  const computed = options.computed === undefined ? undefined : takeComputed(options.computed, p, state, holder, oldVsn);
  if (computed !== undefined) r = computed.result;
  else {
    // enter/leave rather than runAs: no closure per process.
    const previous = enter(options.who ?? p);
    try {
      r = fn.call(holder, oldVsn, copyState(state), options.extra, options.ctx ?? p.ctx);
    } catch (err) {
      throw codeChangeFailed(p, holder, oldVsn, err);
    } finally {
      leave(previous);
    }
  }
  if (!isThenable(r)) {
    if (r === undefined && state !== undefined) throw codeChangeFailed(p, holder, oldVsn, malformedState());
    return r;
  }
  return withTimeout(Promise.resolve(r), options.timeoutMs, holder.name).then(
    (s) => {
      if (s === undefined && state !== undefined) throw malformedState();
      return s;
    },
  ).catch((err) => {
    throw codeChangeFailed(p, holder, oldVsn, err);
  });
}

/**
 * The process's computed change made by the same codeChange from the state it has now, taken out
 * of `computed`, if there is one. Found by that state, so that a process listed twice gets each of
 * its changes at its own listing.
 */
function takeComputed(computed: Computed, p: Process, state: unknown, holder: ServerDef, oldVsn: OldVsn): ComputedChange | undefined {
  const list = computed.get(p);
  if (list === undefined) return undefined;
  const i = list.findIndex((c) => c.from === state && c.holder === holder && sameOldVsn(c.oldVsn, oldVsn));
  if (i === -1) return undefined;
  const [c] = list.splice(i, 1);
  if (list.length === 0) computed.delete(p);
  return c;
}

export function sameOldVsn(a: OldVsn, b: OldVsn): boolean {
  return typeof a === "string" || typeof b === "string" ? a === b : a.down === b.down;
}

/** The definition whose codeChange runs for this item: the new one up, the running one down. */
function codeChangeHolder(item: CodeChangeItem): ServerDef {
  return typeof item.oldVsn === "string" ? item.def : item.ref.def;
}

function apply(p: Process, def: ServerDef, state: unknown): void {
  p.state = state;
  p.def = def;
}

function withTimeout<T>(promise: Promise<T>, ms: number | undefined, server: string): Promise<T> {
  if (ms === undefined || !Number.isFinite(ms)) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${server}.codeChange did not return within ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}

function checkArgs(def: ServerDef, oldVsn: OldVsn): void {
  if (!isServerDef(def)) {
    throw new RelxError("RELX_BAD_ARGUMENT", `expected a server definition with a name and an init function, got ${describeValue(def)}`);
  }
  const ok = typeof oldVsn === "string" || (oldVsn !== null && typeof oldVsn === "object" && typeof oldVsn.down === "string");
  if (!ok) throw new RelxError("RELX_BAD_ARGUMENT", `expected oldVsn to be a string or { down: string }, got ${describeValue(oldVsn)}`);
}

function notSuspended(p: Process): RelxError {
  return new RelxError("RELX_NOT_SUSPENDED", `${p.label} is running; changeCode needs it suspended`, {
    hint: "call sys.suspend first, then changeCode, then sys.resume",
    process: processName(p),
  });
}

export function malformedState(): Error {
  return new Error("codeChange returned undefined; return the new state");
}

export function codeChangeFailed(p: Process, holder: ServerDef, oldVsn: OldVsn, err: unknown): RelxError {
  const from = typeof oldVsn === "string" ? oldVsn : `down to ${oldVsn.down}`;
  // What was thrown may not turn into a string (a null-prototype object, a toString that throws).
  let text: string;
  try {
    text = err instanceof Error ? String(err.message) : String(err);
  } catch {
    text = describeValue(err);
  }
  return new RelxError("RELX_CODE_CHANGE_FAILED", `${holder.name}.codeChange(${JSON.stringify(from)}) failed for ${p.label}: ${text}`, {
    cause: err,
    process: processName(p),
    hint: "the process kept its old code and state and is still suspended; fix codeChange, or resume it with sys.resume",
  });
}
