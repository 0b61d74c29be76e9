/**
 * What the fused pass's tests share (test/runtime): the Cell server, a process's insides as the
 * pass sees them, a snapshot of what a rehearsal must leave as it was, the error a synchronous call
 * threw, and the suspend path (changeCodeAll) run as the reference the pass must match.
 */
import type { RelxError } from "../../src/index.js";
import type { CodeChangeRun } from "../../src/runtime/bulk.js";
import * as host from "../../src/runtime/host.js";
import type { Process } from "../../src/runtime/process.js";

export type Cell = { id: number; n: number };

/** The Counter server of { id, n }: a cast adds one in place (the same state object, changed); a call replies with the state. */
export const counterBase = {
  name: "Counter",
  init: (args: unknown) => ({ id: (args as { id: number }).id, n: 0 }),
  handleCast(_msg: unknown, state: Cell) {
    state.n++;
    return state;
  },
  handleCall: (_msg: unknown, _from: unknown, state: Cell) => ({ reply: state, state }),
};

/** The Cell server: as Counter, but a call replies once the message (a promise) settles if it is one. */
export const cellBase = {
  ...counterBase,
  name: "Cell",
  async handleCall(msg: unknown, _from: unknown, state: Cell) {
    if (msg instanceof Promise) await msg;
    return { reply: state, state };
  },
};

export const proc = (r: host.ProcessRef): Process => r as unknown as Process;
export const runsOf = (changes: host.CodeChange[]): CodeChangeRun[] => changes as unknown as CodeChangeRun[];

/** Each process's code, state object and try, to compare by identity. */
export const snapshot = (refs: host.ProcessRef[]) => refs.map((r) => ({ def: proc(r).def, state: proc(r).state, ahead: proc(r).ahead }));

/** What `run` threw (undefined when it did not). */
export function thrownBy(run: () => unknown): RelxError | undefined {
  try {
    run();
  } catch (err) {
    return err as RelxError;
  }
  return undefined;
}

/** The suspend path over `changes` (suspend all, changeCodeAll, resume all): what it threw, else undefined. */
export async function throughSuspend(changes: host.CodeChange[], options: { extra: unknown; timeoutMs: number }, all = [...new Set(changes.flatMap((c) => c.refs))]): Promise<unknown> {
  await host.suspendWithin(all, 5000);
  try {
    await host.changeCodeAll(changes, options);
    return undefined;
  } catch (err) {
    return err;
  } finally {
    host.resumeAll(all);
  }
}
