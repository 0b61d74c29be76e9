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
import { ASYNC_RESULT, changeCode, codeChangeHolder, computeCodeChange, type ChangeCodeOptions, type CodeChangeItem } from "./code-change.js";
import { copyState } from "./copy-state.js";
import { isThenable } from "./message.js";
import type { Process } from "./process.js";
import type { ServerDef } from "./types.js";

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

export type { CodeChangeItem } from "./code-change.js";

/** Puts every process a changeCodeAll changed back to the code and state it had. */
export type Rollback = () => void;

/**
 * Runs changeCode on every item; on the first failure rolls all back and throws that error.
 * Returns the rollback, should a later step of an upgrade fail.
 */
export async function changeCodeAll(items: CodeChangeItem[], options: ChangeCodeOptions): Promise<Rollback> {
  // Old code and state, by item index, kept in two flat arrays: no object per process.
  const oldDefs: ServerDef[] = new Array(items.length);
  const oldStates: unknown[] = new Array(items.length);
  const changed = new Uint8Array(items.length);
  let waits: Promise<void>[] | null = null;
  let failure: unknown = undefined;
  for (let i = 0; i < items.length; i++) {
    const p = items[i]!.ref;
    if (!p.alive) continue;
    oldDefs[i] = p.def;
    oldStates[i] = p.state;
    try {
      const r = changeCode(items[i]!, options);
      if (r === undefined) changed[i] = 1;
      else (waits ??= []).push(r.then(() => void (changed[i] = 1), (err) => void (failure ??= err)));
    } catch (err) {
      failure = err;
      break;
    }
  }
  if (waits !== null) await Promise.all(waits);
  const rollback: Rollback = () => {
    for (let i = 0; i < items.length; i++) {
      if (!changed[i]) continue;
      items[i]!.ref.def = oldDefs[i]!;
      items[i]!.ref.state = oldStates[i];
    }
  };
  if (failure !== undefined) {
    rollback();
    throw failure;
  }
  return rollback;
}

/**
 * The fused pass. When every process is idle (nothing in hand, no system operation queued) and no
 * codeChange is an async function, one synchronous loop runs each codeChange and swaps code and
 * state in turn. Nothing else can run until the loop returns (no message, no timer, no socket), so
 * suspending and resuming each process would change nothing anyone can see, and is skipped: the
 * pass is all or nothing by its undo log, two flat arrays made before it starts.
 *
 * Returns the rollback (for a later step that fails), or null, having changed nothing, when the
 * pass does not apply: a process is busy or suspended, a codeChange is async, or one returns a
 * promise after all (those already called ran on copies and their results are dropped; the caller
 * takes the three-pass path, which calls them again). Throws RELX_CODE_CHANGE_FAILED, having put every
 * process back, when a codeChange throws or returns no state.
 */
export function swapAll(items: CodeChangeItem[], options: ChangeCodeOptions): Rollback | null {
  const n = items.length;
  // The async check once per distinct codeChange (a whole server's processes share one), before any runs.
  let checked: unknown = undefined;
  for (let i = 0; i < n; i++) {
    const fn = codeChangeHolder(items[i]!).codeChange;
    if (fn === checked) continue;
    checked = fn;
    if (fn !== undefined && types.isAsyncFunction(fn)) return null;
  }
  const oldDefs: ServerDef[] = new Array(n);
  const oldStates: unknown[] = new Array(n);
  let done = 0;
  const rollback: Rollback = () => {
    for (let i = 0; i < done; i++) {
      const p = items[i]!.ref;
      p.def = oldDefs[i]!;
      p.state = oldStates[i];
    }
  };
  // One touch of each process: its phase is checked where its code is changed. A busy or
  // suspended one (rare: the caller saw none a moment ago) undoes the pass, as an async result does.
  for (; done < n; done++) {
    const item = items[done]!;
    const p = item.ref;
    if (p.phase !== "idle" || (p.sysq !== null && p.sysq.length > 0)) {
      rollback();
      return null;
    }
    let state: unknown;
    try {
      state = computeCodeChange(item, options, true);
    } catch (err) {
      rollback();
      throw err;
    }
    if (state === ASYNC_RESULT) {
      rollback();
      return null;
    }
    oldDefs[done] = p.def;
    oldStates[done] = p.state;
    p.state = state;
    p.def = item.def;
  }
  return rollback;
}

/** How many states warmUp copies, at most, spread evenly over the processes. */
const WARM_COPIES = 4000;

/**
 * Copies a spread-out sample of the states an upgrade is about to change, and drops the copies,
 * before its pause. An upgrade is rare, so by then V8 has usually dropped or never made optimized
 * code for copyState: the pause would copy 10,000 states in the interpreter, several times slower
 * (measured: 10,000 connection states 20–25 ms cold, 3 ms warm). Copying has no effect a process
 * can see (plain data is read, handles are not touched), so this changes nothing.
 */
export function warmUp(items: CodeChangeItem[]): void {
  const n = items.length;
  if (n === 0) return;
  const stride = Math.max(1, Math.floor(n / (WARM_COPIES / 2)));
  for (let round = 0; round < 2; round++) {
    for (let i = round; i < n; i += stride) {
      const p = items[i]!.ref;
      if (p.alive) copyState(p.state);
    }
  }
}
