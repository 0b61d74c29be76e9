/**
 * sys operations on many processes at once, for upgrades of whole releases. Each walks its
 * processes synchronously and makes a promise only for the few that are busy or async, so
 * 100,000 idle processes cost a loop, not 100,000 promises. changeCodeAll is all or nothing:
 * if any codeChange fails, every process it changed gets its old code and state back (the very
 * objects it had: codeChange works on a copy, see code-change.ts).
 *
 * swapAll is the fused form of all three, for the common upgrade where every process is idle and
 * every codeChange returns at once: one synchronous loop, no suspend, no resume.
 */
import { types } from "node:util";
import { enter, enterSync, leave, leaveSync, type Attributed } from "./attribution.js";
import { trying } from "./ahead.js";
import { changeCode, codeChangeFailed, malformedState, sameOldVsn, type ChangeCodeOptions, type CodeChangeRun, type Computed, type ComputedChange } from "./code-change.js";
import { copyState } from "./copy-state.js";
import { isThenable } from "./message.js";
import type { Pid } from "./pid.js";
import { finished, type Ahead, type Process } from "./process.js";
import { hold, release } from "./scheduler.js";
import type { OldVsn, ServerDef } from "./types.js";

/** Suspends every process; resolves when each has finished the message in hand. */
export function suspendAll(procs: Iterable<Process>): void | Promise<void> {
  let waits: Promise<void>[] | null = null;
  for (const p of procs) {
    if (!p.alive) continue; // exited since it was picked: nothing left to suspend
    const r = p.suspend();
    if (r !== undefined) (waits ??= []).push(r);
  }
  if (waits !== null) return Promise.all(waits).then(() => undefined);
}

export function resumeAll(procs: Iterable<Process>): void {
  for (const p of procs) if (p.alive) p.resume();
}

export type { CodeChangeRun } from "./code-change.js";

/** Puts every process a changeCodeAll changed back to the code and state it had. */
export type Rollback = () => void;

/** How many processes the runs hold in all. */
function countOf(runs: readonly CodeChangeRun[]): number {
  let n = 0;
  for (const run of runs) n += run.refs.length;
  return n;
}

/**
 * The undo log of a bulk change: the old code and state of its first `done` processes (in run
 * order), in two flat arrays, no object per process. `changed`, when given, says which of them
 * were changed (the others are skipped). Undone last first, so that a process listed twice (sys.*Many
 * given the same pid twice) ends with what it had before the first change, not the second.
 */
function undoLog(runs: readonly CodeChangeRun[], oldDefs: ServerDef[], oldStates: unknown[], done: () => number, changed?: Uint8Array): Rollback {
  return () => {
    const end = done();
    let start = countOf(runs);
    for (let r = runs.length - 1; r >= 0; r--) {
      const { refs } = runs[r]!;
      start -= refs.length;
      for (let j = Math.min(refs.length, end - start) - 1; j >= 0; j--) {
        const k = start + j;
        if (changed !== undefined && !changed[k]) continue;
        refs[j]!.def = oldDefs[k]!;
        refs[j]!.state = oldStates[k];
      }
    }
  };
}

/**
 * Runs changeCode on every process of every run; on the first failure rolls all back and throws
 * that error. Returns the rollback, should a later step of an upgrade fail.
 */
export async function changeCodeAll(runs: readonly CodeChangeRun[], options: ChangeCodeOptions): Promise<Rollback> {
  const n = countOf(runs);
  const oldDefs: ServerDef[] = new Array(n);
  const oldStates: unknown[] = new Array(n);
  const changed = new Uint8Array(n);
  let waits: Promise<void>[] | null = null;
  let failure: unknown = undefined;
  let k = 0;
  pass: for (const { refs, def, oldVsn } of runs) {
    for (const p of refs) {
      const i = k++;
      if (!p.alive) continue;
      oldDefs[i] = p.def;
      oldStates[i] = p.state;
      try {
        const r = changeCode({ ref: p, def, oldVsn }, options);
        if (r === undefined) changed[i] = 1;
        else (waits ??= []).push(r.then(() => void (changed[i] = 1), (err) => void (failure ??= err)));
      } catch (err) {
        failure = err;
        break pass;
      }
    }
  }
  if (waits !== null) await Promise.all(waits);
  const rollback = undoLog(runs, oldDefs, oldStates, () => n, changed);
  if (failure !== undefined) {
    rollback();
    throw failure;
  }
  return rollback;
}

/**
 * The fused pass. When every process is idle (nothing in hand, no system operation queued) and no
 * codeChange is an async function, one synchronous stretch runs each codeChange and swaps code and
 * state. Nothing else can run until it returns (no message, no timer, no socket), so suspending and
 * resuming each process would change nothing anyone can see, and is skipped: the pass is all or
 * nothing by its undo log, flat arrays made before it starts.
 *
 * `tried`: most of its codeChanges were tried ahead (computeAhead). Then it is two loops. The
 * first (swapTried) checks that every process is idle and swaps each one whose codeChange was
 * tried ahead on the state it still has, or that has none, and lists the others; it runs no code
 * of the app, so rehearse() can ready it for V8 on the very processes before the pause. The
 * second calls the listed processes' codeChanges, usually few. Else it is one loop (swapEach),
 * which calls each codeChange (or uses its try) as it meets the process.
 *
 * Returns the rollback (for a later step that fails), or null, having changed nothing, when the
 * pass does not apply: a process is busy or suspended (with two loops, found before any
 * codeChange is called), a
 * codeChange is async, or one returns a promise after all (those already called ran on copies;
 * what they returned, that promise too, goes to `options.computed` when given, and the caller's
 * three-pass path uses it instead of calling them again, so that each codeChange runs once).
 * Throws RELX_CODE_CHANGE_FAILED, having put every process back, when a codeChange throws or
 * returns no state. `allSync`: warmUp has just found no async codeChange among these runs, and
 * nothing ran since, so the pass does not look again.
 */
export function swapAll(runs: readonly CodeChangeRun[], options: ChangeCodeOptions, allSync = false, tried = false): Rollback | null {
  if (!allSync && !syncCodeChanges(runs)) return null;
  // Two loops only where the first was rehearsed (computeAhead): a bigger pass, optimized by V8
  // as it runs, took longer in two loops than in one (100,000 processes, downgrades 18–28 ms
  // against 12–20).
  return tried && countOf(runs) <= REHEARSED_PASSES ? swapTwice(runs, options) : swapEach(runs, options);
}

/**
 * The fused pass as one loop, for when few or none of its codeChanges were tried ahead (most of
 * them then run in it): each process checked, changed (its try used if it holds) and logged in
 * turn, a busy one undoing the pass. Two loops would list almost every process for the second
 * (measured: 21 ms against 14 for 100,000 untried processes).
 */
function swapEach(runs: readonly CodeChangeRun[], options: ChangeCodeOptions): Rollback | null {
  const n = countOf(runs);
  const log = newLog(n);
  // `changed` marks what the loop did: the rollback takes those, however far it got.
  const rollback = undoLog(runs, log.oldDefs, log.oldStates, () => n, log.changed);
  const at: At = { p: undefined, holder: undefined, oldVsn: "", next: undefined };
  const outer = enterSync(undefined);
  const held = hold();
  const cursor: Cursor = { r: 0, j: 0 };
  let done = 0;
  try {
    // In stretches: V8 then optimizes the loop as a function, kept for the node's next pass,
    // rather than only the one loop it is in (eachLoop).
    while (done < n) {
      const end = Math.min(n, done + STRETCH);
      done = eachLoop(runs, done, end, options.extra, log, log.oldDefs, log.oldStates, log.changed, at, cursor, null);
      if (done < end) break;
    }
  } catch (err) {
    rollback();
    throw codeChangeFailed(at.p!, at.holder!, at.oldVsn, err);
  } finally {
    leaveSync(outer);
    release(held);
  }
  aheadUsed = log.used;
  if (done < n) return gaveUp(runs, options, log, rollback, isThenable(at.next) ? { p: at.p!, holder: at.holder!, oldVsn: at.oldVsn, result: at.next } : undefined);
  return rollback;
}

/** Where eachLoop stopped or threw: the process, the definition whose codeChange it called, and what that returned. */
interface At {
  p: Process | undefined;
  holder: ServerDef | undefined;
  oldVsn: OldVsn;
  next: unknown;
}

/** Where eachLoop is in the runs: the run, and the next process's index in it. */
interface Cursor {
  r: number;
  j: number;
}

/** Processes per call of eachLoop. */
const STRETCH = 4096;

/**
 * swapEach's loop, over the processes `from` to `end` (in run order, `cursor` saying where that
 * is): how far it got (short of `end` when it stopped at a busy process or a promise, `at` then
 * saying where). A function of its own, called a stretch at a time, whose every instruction runs
 * in every call (the next run is taken arithmetically, not in a branch): V8 then optimizes it as a
 * function, kept for the node's next pass, and nothing in it is first run late. As one loop over
 * all 100,000 processes, V8 optimized only that loop, while it ran (on-stack replacement); that
 * code was gone by the next pass, and the next run's index, first computed at the end of the
 * first run, had no type feedback (V8 allocates a function's feedback only after its first
 * moments), so the optimized loop was thrown away there: the downgrade after an upgrade ran
 * unoptimized, 10–30 ms against 3.
 */
function eachLoop(runs: readonly CodeChangeRun[], from: number, end: number, extra: unknown, log: SwapLog, oldDefs: ServerDef[], oldStates: unknown[], changed: Uint8Array, at: At, cursor: Cursor, aheads: (Ahead | null)[] | null): number {
  let r = cursor.r;
  let j = cursor.j;
  let k = from;
  let used = 0;
  stretch: while (k < end) {
    const run = runs[r]!;
    const { refs, def } = run;
    const oldVsn = run.oldVsn;
    const up = typeof oldVsn === "string";
    const stop = Math.min(refs.length, j + end - k);
    for (; j < stop; j++, k++) {
      const p = refs[j]!;
      if (p.phase !== "idle" || p.hasSysq()) {
        at.p = p;
        break stretch;
      }
      // Read whichever way the pass goes (a load only a downgrade made would deoptimize it).
      const was = p.def;
      const holder = up ? def : was;
      const fn = holder.codeChange;
      const state = p.state;
      const a = p.ahead;
      if (aheads !== null) aheads[k] = a;
      if (a !== null) p.ahead = null;
      let next: unknown;
      if (fn === undefined) next = state;
      else if (a !== null && a.from === state && a.epoch === p.epoch && a.holder === holder && (a.run === run || sameOldVsn(a.oldVsn, oldVsn))) {
        next = a.result;
        used++;
      } else {
        // A rehearsal calls no codeChange: it stops here.
        if (aheads !== null) break stretch;
        at.p = p;
        at.holder = holder;
        at.oldVsn = oldVsn;
        enterSync(p);
        next = fn.call(holder, oldVsn, copyState(state), extra, p.ctx);
        if (next === undefined) {
          if (state !== undefined) throw malformedState();
        } else if (isThenable(next)) {
          at.next = next;
          break stretch;
        }
      }
      oldDefs[k] = was;
      oldStates[k] = state;
      changed[k] = 1;
      p.state = next;
      p.def = def;
    }
    // At a run's end, the next one (runs of no process skipped as they come).
    const over = j === refs.length ? 1 : 0;
    r += over;
    j -= j * over;
  }
  cursor.r = r;
  cursor.j = j;
  log.used += used;
  return k;
}

// V8 keeps type feedback for a function only once it has run for a while (lazy feedback
// allocation: about eight times its own bytecode). The processes a node's first pass meets before
// that (its first dozen or so: a boot process of another server, often) leave nothing behind, and
// the optimized pass then deoptimizes at them in the next pass ("wrong map"). Calls with nothing
// to do spend that budget as the module loads.
{
  const none = newLog(0);
  const at: At = { p: undefined, holder: undefined, oldVsn: "", next: undefined };
  for (let i = 0; i < 256; i++) eachLoop([], 0, 0, undefined, none, none.oldDefs, none.oldStates, none.changed, at, { r: 0, j: 0 }, null);
}

/** The fused pass as two loops (swapTried, then the codeChanges it left), for when most were tried ahead. */
function swapTwice(runs: readonly CodeChangeRun[], options: ChangeCodeOptions): Rollback | null {
  const n = countOf(runs);
  const log = newLog(n);
  const rollback = undoLog(runs, log.oldDefs, log.oldStates, () => n, log.changed);
  const { extra } = options;
  // Attribution is set once per process called and put back once, after the loop; a throw
  // anywhere in it is the codeChange of the process `at`, which has not been changed yet.
  const outer = enterSync(undefined);
  // Nothing may run in the pass: what a codeChange sends (to its own process too) is queued, as
  // the suspend path queues it, not handled at once by code that is being swapped.
  const held = hold();
  let next: unknown;
  let at: Process | undefined;
  let holder: ServerDef | undefined;
  let oldVsn: OldVsn = "";
  let applies = true;
  try {
    applies = swapTried(runs, log, null, 0, EVERY);
    const { left } = log;
    for (let i = 0; applies && i < left.length; i += 3) {
      const k = left[i]!;
      const run = runs[left[i + 1]!]!;
      const p = (at = run.refs[left[i + 2]!]!);
      p.ahead = null; // its LISTED mark
      // A codeChange called before it may have suspended it, or queued a system operation on it.
      if (p.phase !== "idle" || p.hasSysq()) {
        applies = false;
        break;
      }
      oldVsn = run.oldVsn;
      const was = p.def;
      // Up, the new definition's codeChange runs (one for the run); down, each process's running one.
      holder = typeof oldVsn === "string" ? run.def : was;
      const state = p.state;
      const fn = holder.codeChange;
      // None: a process listed again after a change the loop calls (a downgrade's second listing
      // finds the target's code), changed here so that its changes keep their run order.
      if (fn === undefined) next = state;
      else {
        enterSync(p);
        next = fn.call(holder, oldVsn, copyState(state), extra, p.ctx);
      }
      if (next === undefined) {
        if (state !== undefined) throw malformedState();
      } else if (isThenable(next)) {
        applies = false;
        break;
      }
      log.oldDefs[k] = was;
      log.oldStates[k] = state;
      log.changed[k] = 1;
      p.state = next;
      p.def = run.def;
    }
  } catch (err) {
    rollback();
    throw codeChangeFailed(at!, holder!, oldVsn, err);
  } finally {
    leaveSync(outer);
    release(held);
    // The LISTED marks of those the second loop did not reach (it gave up, or threw).
    const { left } = log;
    for (let i = 0; i < left.length; i += 3) {
      const p = runs[left[i + 1]!]!.refs[left[i + 2]!]!;
      if (p.ahead === LISTED) p.ahead = null;
    }
  }
  aheadUsed = log.used;
  if (!applies) return gaveUp(runs, options, log, rollback, isThenable(next) ? { p: at!, holder: holder!, oldVsn, result: next } : undefined);
  return rollback;
}

/**
 * A fused pass that found it does not apply (a busy or suspended process, or a promise): every
 * process put back. What the codeChanges it called returned goes to options.computed, for the path
 * the caller takes instead, so that it does not call them again; else it is dropped (the promise
 * `pending` left, its rejection handled).
 */
function gaveUp(runs: readonly CodeChangeRun[], options: ChangeCodeOptions, log: SwapLog, rollback: Rollback, pending: { p: Process; holder: ServerDef; oldVsn: OldVsn; result: unknown } | undefined): null {
  if (options.computed !== undefined) keepComputed(runs, options.computed, log, pending);
  if (pending !== undefined) Promise.resolve(pending.result).catch(() => undefined);
  rollback();
  return null;
}

/** No limit: the pass's first loop takes every process of each run (a small integer, as a rehearsal's limit is, for V8). */
const EVERY = 2 ** 30;

/**
 * The try of a process the first loop listed for the second, while the pass runs: a later listing
 * of it (a process listed twice) is then listed too, even with no codeChange, so that its changes
 * are made in run order (and undone last first) rather than the later one first. Valid for no
 * state; the second loop takes it off.
 */
const LISTED: Ahead = { from: Symbol("listed"), epoch: -1, holder: null as unknown as ServerDef, oldVsn: "", run: null, result: undefined };

/**
 * A run and a try of each kind, kept for as long as the node runs. V8 records the kind of value
 * each field of an object's shape has held, and the pass's optimized code relies on it: a first
 * downgrade, whose runs and tries hold an object as their oldVsn (`{ down }`) where every upgrade
 * before held a string, changed that record and threw the pass's code away (the 100,000-process
 * downgrade after an upgrade then ran unoptimized). With both kinds in each field from the start,
 * nothing an upgrade or a downgrade holds there changes it. Exported so that the objects, and with
 * them those shapes, stay alive: a module's unexported const that nothing reads can be dropped
 * once the module has run, and V8 then makes the shapes afresh, narrow again.
 */
export const BOTH_KINDS: readonly object[] = [
  { refs: [], def: null, oldVsn: "" } satisfies Record<keyof CodeChangeRun, unknown>,
  { refs: [], def: null, oldVsn: { down: "" } } satisfies Record<keyof CodeChangeRun, unknown>,
  // As LISTED, in its order, the oldVsn an object.
  { from: LISTED.from, epoch: -1, holder: null, oldVsn: { down: "" }, run: null, result: undefined } satisfies Record<keyof Ahead, unknown>,
];

/** A fused pass's undo log, in run order (`changed` says which were), and the processes its first loop left to call. */
interface SwapLog {
  oldDefs: ServerDef[];
  oldStates: unknown[];
  changed: Uint8Array;
  /** Triples (index in run order, run, index in the run) of the processes whose codeChange the pass calls. */
  left: number[];
  /** How many tries the first loop used. */
  used: number;
}

function newLog(n: number): SwapLog {
  return { oldDefs: objectArray(n), oldStates: objectArray(n), changed: new Uint8Array(n), left: [], used: 0 };
}

/**
 * An array of n holes that holds objects already (V8's elements kind HOLEY_ELEMENTS, one store of
 * undefined, not n): `new Array(n)` holds small integers until its first object, and the pass's
 * optimized stores, made for the arrays of the pass it was optimized in, which had moved on by
 * then, would deoptimize at the next pass's first store ("wrong map").
 */
function objectArray<T>(n: number): T[] {
  const array = new Array<T>(n);
  if (n > 0) array[0] = undefined as T;
  return array;
}

/**
 * The fused pass's first loop: false, at the first process that is busy or suspended (nothing
 * called, what it swapped is in the log); else every process with no codeChange, or with one
 * tried ahead on the state it still has with nothing run since (its epoch), swapped, the others
 * listed in `log.left` (and marked LISTED, so that a later listing of the same process is listed
 * too). `aheads`, in a rehearsal, keeps each process's try, to be put back; a rehearsal also takes
 * only the processes [from, to) of each run.
 */
function swapTried(runs: readonly CodeChangeRun[], log: SwapLog, aheads: (Ahead | null)[] | null, from: number, to: number): boolean {
  const { oldDefs, oldStates, changed, left } = log;
  let k = 0;
  for (let r = 0; r < runs.length; r++) {
    const run = runs[r]!;
    const { refs, def } = run;
    const oldVsn = run.oldVsn;
    const up = typeof oldVsn === "string";
    const end = Math.min(refs.length, to);
    for (let j = from; j < end; j++, k++) {
      const p = refs[j]!;
      if (p.phase !== "idle" || p.hasSysq()) return false;
      // Read whichever way the pass goes: a load only a downgrade made would have no type
      // feedback from the upgrades before it, and V8 would deoptimize the pass at it.
      const was = p.def;
      const holder = up ? def : was;
      const state = p.state;
      const a = p.ahead;
      if (aheads !== null) aheads[k] = a;
      if (a !== null) p.ahead = null;
      let next: unknown;
      if (holder.codeChange === undefined && a !== LISTED) next = state;
      else if (a !== null && (aheads === null || k > 0) && a.from === state && a.epoch === p.epoch && a.holder === holder && (a.run === run || sameOldVsn(a.oldVsn, oldVsn))) {
        // Tried ahead of the pause on this very state, nothing run since: what it made is used.
        // (The run is the very object when the pass reuses the tries' plan, as it mostly does.)
        // A rehearsal lists its first process as untried, so that the listing is rehearsed too.
        next = a.result;
        log.used++;
      } else {
        left.push(k, r, j);
        p.ahead = LISTED;
        continue;
      }
      oldDefs[k] = was;
      oldStates[k] = state;
      changed[k] = 1;
      p.state = next;
      p.def = def;
    }
  }
  return true;
}

/** How many processes a rehearsal runs the first loop over, at most: enough for V8 to optimize it (measured: 7,500 did, 5,000 did not). */
const REHEARSAL_SIZE = 12_000;
/**
 * The biggest pass rehearsed in its two-loop form (rehearse). A bigger one takes the one-loop form
 * (swapEach), and a rehearsal of that form's first REHEARSAL_SIZE processes (rehearseEach). A
 * rehearsal of only the first REHEARSAL_SIZE of the two-loop form made the 100,000-process pass
 * worse, deoptimized ("wrong map") and run on cold (upgrade pauses 9.4–14.5 ms rehearsed, 6.2–9.0
 * not); the one-loop form met the same at its first store into the undo log (the log's arrays,
 * new at each pass, did not yet hold objects: objectArray), and at the processes V8 saw before it
 * kept feedback (the warm-up calls below eachLoop), both now mended.
 */
const REHEARSED_PASSES = 2 * REHEARSAL_SIZE;
/** About how many processes one stretch of a rehearsal takes (cold, a few ms), the node let run between two. */
const REHEARSAL_STRETCH = 3_000;

/**
 * One stretch of a rehearsal of the fused pass, ahead of the pause, on the processes it will
 * change: runs its first loop (swapTried) over the processes [from, to) of each run, and puts each
 * one back, code, state and try, before anything else can run. No code of the app runs and nothing
 * is left changed. The very run objects the pass is given, so that V8 optimizes for them. Without
 * it, an upgrade's pass runs once, before V8 has compiled it (the compile takes about 10 ms, the
 * whole pass over 10,000 processes 2–5 ms), in the interpreter. computeAhead rehearses while the
 * node runs, some milliseconds before the pass, so that the compile finishes in between.
 */
function rehearse(runs: readonly CodeChangeRun[], from: number, to: number): void {
  let n = 0;
  for (const { refs } of runs) n += Math.max(0, Math.min(refs.length, to) - from);
  const log = newLog(n);
  const aheads: (Ahead | null)[] = new Array(n);
  const held = hold();
  try {
    swapTried(runs, log, aheads, from, to);
  } finally {
    // Last first, as undoLog does: a process listed twice ends with what it had before its first
    // change, and the try it had then, not what the first change left for the second.
    let k = n;
    for (let r = runs.length - 1; r >= 0; r--) {
      const { refs } = runs[r]!;
      for (let j = Math.min(refs.length, to) - 1; j >= from; j--) {
        const p = refs[j]!;
        k--;
        if (log.changed[k]) {
          p.def = log.oldDefs[k]!;
          p.state = log.oldStates[k];
        }
        const a = aheads[k];
        if (a !== undefined) p.ahead = a;
      }
    }
    release(held);
  }
}

/**
 * One stretch of a rehearsal of the one-loop pass (swapEach's eachLoop), as rehearse does for the
 * two-loop one: eachLoop over the first `end` processes in run order, on the very processes and
 * runs the pass will be given, each put back, code, state and try, before anything else can run.
 * It calls no codeChange: it stops at the first process whose try does not hold. Without it, the
 * 100,000-process pass that follows a boot runs its first tens of thousands of processes before
 * V8 has optimized it (about 5 ms of its 6). Exported for its tests.
 */
export function rehearseEach(runs: readonly CodeChangeRun[], upTo: number): void {
  const end = Math.min(upTo, countOf(runs));
  const log = newLog(end);
  const aheads: (Ahead | null)[] = objectArray(end);
  const at: At = { p: undefined, holder: undefined, oldVsn: "", next: undefined };
  const cursor: Cursor = { r: 0, j: 0 };
  const held = hold();
  try {
    for (let done = 0; done < end; ) {
      const reached = eachLoop(runs, done, Math.min(end, done + STRETCH), undefined, log, log.oldDefs, log.oldStates, log.changed, at, cursor, aheads);
      if (reached < Math.min(end, done + STRETCH)) break;
      done = reached;
    }
  } finally {
    // Every process it may have gone over, in run order, put back last first: what it changed
    // (`changed`) and each try it took (a hole in `aheads` for those it did not reach), however
    // far it got, a throw included.
    const seen: Process[] = [];
    let k = 0;
    for (const { refs } of runs) {
      for (let j = 0; j < refs.length && k < end; j++, k++) seen.push(refs[j]!);
    }
    for (let i = seen.length - 1; i >= 0; i--) {
      const p = seen[i]!;
      if (log.changed[i]) {
        p.def = log.oldDefs[i]!;
        p.state = log.oldStates[i];
      }
      if (i < aheads.length && aheads[i] !== undefined) p.ahead = aheads[i]!;
    }
    release(held);
  }
}

/** The most processes of each run a rehearsal takes so that it takes about `budget` in all. */
function shareOf(runs: readonly CodeChangeRun[], budget: number): number {
  let limit = Math.max(1, Math.ceil(budget / Math.max(1, runs.length)));
  for (;;) {
    let total = 0;
    let longer = false;
    for (const { refs } of runs) {
      total += Math.min(refs.length, limit);
      if (refs.length > limit) longer = true;
    }
    if (total >= budget || !longer) return limit;
    limit *= 2;
  }
}

/**
 * Records what the processes a pass that gave up had changed were changed to (read before its
 * rollback), and the promise `pending` left. What a listing made is the state its process had at
 * its next listing, or has now after its last: walked last first, so that a process listed twice
 * has each of its changes, not its last state twice.
 */
function keepComputed(runs: readonly CodeChangeRun[], computed: Computed, log: SwapLog, pending?: { p: Process; holder: ServerDef; oldVsn: OldVsn; result: unknown }): void {
  if (pending !== undefined) keep(computed, pending.p, { from: pending.p.state, holder: pending.holder, oldVsn: pending.oldVsn, result: pending.result });
  /** Each process's state after the listing the walk is at: its state now, to begin with. */
  const after = new Map<Process, unknown>();
  let k = countOf(runs);
  for (let r = runs.length - 1; r >= 0; r--) {
    const { refs, def, oldVsn } = runs[r]!;
    for (let j = refs.length - 1; j >= 0; j--) {
      k--;
      if (!log.changed[k]) continue;
      const p = refs[j]!;
      const made = after.has(p) ? after.get(p) : p.state;
      after.set(p, log.oldStates[k]);
      const holder = typeof oldVsn === "string" ? def : log.oldDefs[k]!;
      // A server with no codeChange was given its state as it was: nothing to keep.
      if (holder.codeChange !== undefined) keep(computed, p, { from: log.oldStates[k], holder, oldVsn, result: made });
    }
  }
}

/** A process's computed change, before those of its later listings (keepComputed walks last first). */
function keep(computed: Computed, p: Process, change: ComputedChange): void {
  const list = computed.get(p);
  if (list === undefined) computed.set(p, [change]);
  else list.unshift(change);
}

/** How many of the last fused pass's processes had a codeChange tried ahead (computeAhead) that it used: for the daemon's log. */
let aheadUsed = 0;
export function aheadUsedInLastPass(): number {
  return aheadUsed;
}

/**
 * Nine in ten or more of the `wanted` tries (the processes that have a codeChange) were kept: the
 * pass is rehearsed and its stale tries made again (computeAhead), and the upgrade readies it as
 * a pass that only swaps (its two-loop form, no warm copies).
 */
export function mostTried(kept: number, wanted: number): boolean {
  return kept * 10 >= wanted * 9;
}

/** How many processes of `runs` have a codeChange to call: up, the new definition's; down, each one's running one. */
function withCodeChange(runs: readonly CodeChangeRun[]): number {
  let n = 0;
  for (const { refs, def, oldVsn } of runs) {
    if (typeof oldVsn === "string") {
      if (def.codeChange !== undefined) n += refs.length;
    } else {
      for (let j = 0; j < refs.length; j++) if (refs[j]!.def.codeChange !== undefined) n++;
    }
  }
  return n;
}

/** How long computeAhead runs before it lets the node run (ms). */
const SLICE_MS = 4;

/**
 * Tries each idle process's codeChange ahead of the pause, while the node runs, in slices of a few
 * ms with the node let run in between; swapAll then uses what it made, if nothing ran in that
 * process since (its epoch) and it still has the state it was tried on, and calls codeChange in
 * the pause for the others. So the pause only swaps, for a codeChange that is a function of the
 * state, as a dry run takes it to be: it gets a copy (copyState), runs as a stand-in of its process
 * (a stray error of it crashes nothing), with no process run meanwhile, and its process's ctx
 * does nothing while it runs (ahead.ts). A try
 * is dropped, and codeChange runs again in the pause, when it used its ctx or returned nothing
 * (then no other process of its run is tried), or returned a promise or threw (then nothing more
 * is tried: the pass gives up on the promise, or fails by name on the throw). Nothing is tried
 * when a codeChange is an async function: the fused pass cannot apply. Returns what clears the
 * tries the pass did not use, and how many it made and kept.
 */
export async function computeAhead(runs: readonly CodeChangeRun[], extra: unknown, allSync = false): Promise<Tries> {
  const drop = (): void => {
    for (const { refs } of runs) for (const p of refs) p.ahead = null;
  };
  let kept = 0;
  let made = 0;
  // Most were tried: of those that have a codeChange (a process with none is swapped as it is).
  const wanted = withCodeChange(runs);
  const tries = (): Tries => ({ drop, kept, made, wanted });
  // An async codeChange among them: the fused pass will not apply (warmUp says so), and the
  // suspend path would run every codeChange again; a try would only be a second run. `allSync`:
  // warmUp has just found none, and nothing ran since, so it is not looked for again.
  if (!allSync && !syncCodeChanges(runs)) return tries();
  let slice = beginSlice();
  let k = 0;
  /** The runs a dropped try ended: nothing more of them is tried, in the second round either. */
  const ended = new Set<number>();
  const mark = finished.count;
  try {
    // Two rounds at most, in this one async function (its slices' stand-ins are entered and left
    // in one async context). After the first, when most were tried, the pass's first loop is
    // rehearsed (V8 compiles it meanwhile); then, if any process ran something while the others
    // were tried, the second round makes again the tries that went stale, so that the pass calls
    // few codeChanges itself.
    for (let again = false; ; again = true) {
      if (again) {
        if (!mostTried(kept, wanted)) break;
        const total = countOf(runs);
        if (total <= REHEARSED_PASSES) {
          // In stretches of a few ms, a window of each run at a time, the node let run in between.
          let longest = 0;
          for (const { refs } of runs) longest = Math.max(longest, refs.length);
          const limit = Math.min(longest, shareOf(runs, REHEARSAL_SIZE));
          const step = Math.max(1, Math.ceil(limit / Math.ceil(Math.min(total, REHEARSAL_SIZE) / REHEARSAL_STRETCH)));
          for (let from = 0; from < limit; from += step) {
            endSlice(slice);
            await new Promise<void>((resolve) => setImmediate(resolve));
            slice = beginSlice();
            rehearse(runs, from, Math.min(limit, from + step));
          }
        } else {
          // The one-loop form: its first REHEARSAL_SIZE processes, a growing stretch at a time.
          for (let end = REHEARSAL_STRETCH; ; end = Math.min(REHEARSAL_SIZE, end + REHEARSAL_STRETCH)) {
            endSlice(slice);
            await new Promise<void>((resolve) => setImmediate(resolve));
            slice = beginSlice();
            rehearseEach(runs, end);
            if (end >= REHEARSAL_SIZE) break;
          }
        }
        if (finished.count === mark) break;
      }
      for (let r = 0; r < runs.length; r++) {
        if (ended.has(r)) continue;
        const { refs, def, oldVsn } = runs[r]!;
        const up = typeof oldVsn === "string";
        for (let j = 0; j < refs.length; j++) {
          if ((++k & 63) === 0 && performance.now() > slice.until) {
            endSlice(slice);
            await new Promise<void>((resolve) => setImmediate(resolve));
            slice = beginSlice();
          }
          const p = refs[j]!;
          if (p.phase !== "idle" || p.hasSysq()) continue;
          const holder = up ? def : p.def;
          const fn = holder.codeChange;
          if (fn === undefined) continue;
          const state = p.state;
          const epoch = p.epoch;
          const had = p.ahead;
          // The second round: only a process with no try, or one gone stale.
          if (again && had !== null && had.from === state && had.epoch === epoch) continue;
          slice.standIn.pid = p.pid;
          slice.standIn.name = p.name;
          const tried = tryAhead(p, holder, fn, oldVsn, state, extra);
          made++;
          // A throw, or a promise (the pass gives up on it too, and hands what it used of the tries
          // to the suspend path): nothing more is tried.
          if (tried === THREW || tried === PROMISED) return tries();
          if (tried === DROPPED) {
            // A try made again (the second round) that is dropped: the one it replaces is no longer kept.
            if (had !== null) kept--;
            p.ahead = null;
            ended.add(r);
            break;
          }
          p.ahead = { from: state, epoch, holder, oldVsn, run: runs[r]!, result: tried };
          if (had === null) kept++;
        }
      }
      if (again) break;
    }
  } catch (err) {
    drop();
    throw err;
  } finally {
    endSlice(slice);
  }
  return tries();
}

/**
 * What computeAhead leaves: `drop` clears the tries the pass did not use; `kept`, the tries held
 * (a process's result each); `made`, every try made, those dropped or made again included (for
 * the daemon's log); `wanted`, the processes that have a codeChange to try (one with none needs no
 * try): the upgrade readies the pass as for no tries when few of those were kept (mostTried).
 */
export interface Tries {
  drop(): void;
  kept: number;
  made: number;
  wanted: number;
}

/**
 * One slice of tries: the run queue held, as in the pass (a message a try sends through the API,
 * not its ctx, is handled after the slice by a process whose ctx works, not inside the try), and
 * one stand-in entered for the slice, renamed for each process tried (what a try prints is stamped
 * with its process; what it leaves uncaught crashes nothing). Through the async tracking, so that
 * what a dropped try's promise still does is known for the try's (ahead.ts inert): a try that
 * returns a promise is the last, so the stand-in keeps its name. Entered per slice, not per try:
 * an AsyncLocalStorage switch per process cost 15 ms per 100,000 tries.
 */
interface Slice {
  until: number;
  held: boolean;
  standIn: { pid: Pid; name: string | null; tried: "ahead" };
  previous: Attributed | undefined;
  ended: boolean;
}

function beginSlice(): Slice {
  const standIn = { pid: undefined as unknown as Pid, name: null as string | null, tried: "ahead" as const };
  return { until: performance.now() + SLICE_MS, held: hold(), standIn, previous: enter(standIn), ended: false };
}

function endSlice(slice: Slice): void {
  if (slice.ended) return;
  slice.ended = true;
  leave(slice.previous);
  release(slice.held);
}

const THREW = Symbol("threw");
const PROMISED = Symbol("promised");
const DROPPED = Symbol("dropped");

/** One try, inside a slice: its process's ctx inert while it runs (ahead.ts). */
function tryAhead(p: Process, holder: ServerDef, fn: NonNullable<ServerDef["codeChange"]>, oldVsn: OldVsn, state: unknown, extra: unknown): unknown {
  trying.of = p;
  trying.used = false;
  let r: unknown;
  try {
    r = fn.call(holder, oldVsn, copyState(state), extra, p.ctx);
  } catch {
    return THREW;
  } finally {
    trying.of = null;
  }
  if (isThenable(r)) {
    // Dropped; what it still does through ctx, until it settles, does nothing (ahead.ts inert).
    trying.late++;
    Promise.resolve(r)
      .catch(() => undefined)
      .finally(() => trying.late--);
    return PROMISED;
  }
  if (trying.used || (r === undefined && state !== undefined)) return DROPPED;
  return r;
}

/** How many states warmCopies copies in a round, spread evenly over the processes, beside PER_SERVER. */
const WARM_COPIES = 2000;
/** The first states of each server warmCopies copies in a round, however few its processes. */
const PER_SERVER = 200;

/**
 * Copies a sample of the live states and drops the copies, before an upgrade plans, where few or
 * none of its codeChanges were tried ahead (computeAhead copied the others), so that the pause
 * does not copy in V8's interpreter: an upgrade is rare, so by then V8 has usually dropped or
 * never made optimized code for copyState (measured: 10,000 connection states 20–25 ms cold, 3 ms
 * warm; the chat example's 100 rooms 6–11 ms cold, 1.4 ms warm). Two rounds over the processes,
 * of every stride-th one (WARM_COPIES a round) and of each server's first PER_SERVER, so that the few
 * processes of big states (100 rooms beside 10,000 connections, each room a Map of 100 members)
 * are copied as often as their work in the pass asks. Made before the upgrade waits for the record's
 * write and fsync, the time V8 takes to optimize in the background is not spent in the pause. No effect a process can see: plain data is read, handles are not touched.
 */
export function warmCopies(forEach: (visit: (p: Process) => void) => void, count: number): void {
  const stride = Math.max(1, Math.floor(count / WARM_COPIES));
  const seenOf = new Map<ServerDef, number>();
  for (let round = 0; round < 2; round++) {
    let i = 0;
    let def: ServerDef | undefined;
    let seen = 0;
    seenOf.clear();
    forEach((p) => {
      if (p.def !== def) {
        if (def !== undefined) seenOf.set(def, seen);
        def = p.def;
        seen = seenOf.get(def) ?? 0;
      }
      if (seen++ < PER_SERVER || i % stride === round) warmCopy(p.state);
      i++;
    });
  }
}

/**
 * One warm-up copy, dropped. A state copyState cannot copy (a getter that throws, say) is not the
 * warm-up's to report: the codeChange that gets that copy fails on it, naming its process.
 */
function warmCopy(state: unknown): void {
  try {
    copyState(state);
  } catch {
    // reported where it matters, by the pass
  }
}

/**
 * Readies what an upgrade's pause touches, before it starts, and says whether the fused pass
 * applies to its codeChanges: false when one is an async function (swapAll would call it, drop its
 * promise and give up, and the suspend path would call it a second time). Every process gets the
 * ctx its codeChange receives (made on a process's first callback and kept: made here, a process
 * that never handled a message does not allocate it inside the pause). The states were copied
 * already, by the tries ahead (computeAhead) or, where few were kept, by warmCopies.
 */
export function warmUp(runs: readonly CodeChangeRun[]): boolean {
  return syncCodeChanges(runs);
}

/**
 * No codeChange of `runs` is an async function; checked once per distinct codeChange (up, a run
 * has one; down, each process's running definition's, usually one for the run). Makes each
 * process's ctx on the way.
 */
function syncCodeChanges(runs: readonly CodeChangeRun[]): boolean {
  let checked: unknown = undefined;
  let sync = true;
  const check = (fn: unknown): void => {
    if (fn === checked) return;
    checked = fn;
    if (fn !== undefined && types.isAsyncFunction(fn)) sync = false;
  };
  for (const { refs, def, oldVsn } of runs) {
    const up = typeof oldVsn === "string";
    if (up) check(def.codeChange);
    for (let j = 0; j < refs.length; j++) {
      const p = refs[j]!;
      p.ctx;
      if (!up) check(p.def.codeChange);
    }
  }
  return sync;
}
