/**
 * sys operations on many processes at once, for upgrades of whole releases. Each walks its
 * processes synchronously and makes a promise only for the few that are busy or async, so
 * 100,000 idle processes cost a loop, not 100,000 promises. changeCodeAll is all or nothing:
 * if any codeChange fails, every process it changed gets its old code and state back (the very
 * objects it had: codeChange works on a copy, see code-change.ts).
 */
import { changeCode, computeCodeChange, type ChangeCodeOptions, type CodeChangeItem } from "./code-change.js";
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
      const r = quickChange(items[i]!, options);
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

/** Changes synchronously when the process is idle and codeChange is sync; else the slow path. */
function quickChange(item: CodeChangeItem, options: ChangeCodeOptions): Promise<void> | undefined {
  const p = item.ref;
  if (p.phase !== "suspended" || p.sysq !== null) return changeCode(item, options) ?? undefined;
  const state = computeCodeChange(item, options);
  if (isThenable(state)) {
    p.begin();
    const apply = (s: unknown): void => {
      p.state = s;
      p.def = item.def;
    };
    return Promise.resolve(state).then(apply).finally(() => p.idle());
  }
  p.state = state;
  p.def = item.def;
  return undefined;
}
