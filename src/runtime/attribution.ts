/**
 * Which process's code runs right now, so that what it prints can be stamped with it (the daemon
 * captures console output; the runtime itself prints nothing). Every place the runtime runs a
 * callback for a process goes through `enter`/`leave` (or `runAs`).
 *
 * | tracking | set by                      | attributes                                      | per callback                   |
 * |----------|-----------------------------|-------------------------------------------------|--------------------------------|
 * | off      | default (the library)       | nothing                                         | one comparison                 |
 * | sync     | trackProcesses("sync")      | a callback's synchronous part                   | two assignments                |
 * | async    | trackProcesses("async")     | also what it started: awaits, timers, listeners | AsyncLocalStorage enter/leave, |
 * |          |                             | registered while it ran                         | and Node's promise hooks       |
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Pid } from "./pid.js";

/** What an attribution names: a process (a Process is one). */
export interface Attributed {
  readonly pid: Pid;
  readonly name: string | null;
  /** A stand-in's (not the process itself): its codeChange tried ahead of an upgrade's pause, not in a dry run. */
  readonly tried?: "ahead";
}

export type Tracking = "off" | "sync" | "async";

const OFF = 0;
const SYNC = 1;
const ASYNC = 2;
let mode = OFF;
let current: Attributed | undefined;
let storage: AsyncLocalStorage<Attributed | undefined> | null = null;
/** Set by enterSync for a synchronous stretch of callbacks; wins over the async store. */
let override: Attributed | undefined;

/** Turns attribution on (the daemon does, before it boots a release) or off. */
export function trackProcesses(tracking: Tracking): void {
  mode = tracking === "async" ? ASYNC : tracking === "sync" ? SYNC : OFF;
  if (mode === ASYNC) storage ??= new AsyncLocalStorage();
  current = undefined;
}

/** The process whose code runs now (undefined: none, or relx cannot tell). */
export function currentProcess(): Attributed | undefined {
  if (override !== undefined) return override;
  if (mode === ASYNC) return storage!.getStore();
  return current;
}

/** Marks `who` as running; returns what to hand `leave` when its callback is done. */
export function enter(who: Attributed): Attributed | undefined {
  if (mode === OFF) return undefined;
  if (mode === SYNC) {
    const previous = current;
    current = who;
    return previous;
  }
  const previous = storage!.getStore();
  if (previous !== who) storage!.enterWith(who);
  return previous;
}

export function leave(previous: Attributed | undefined): void {
  if (mode === OFF) return;
  if (mode === SYNC) current = previous;
  else if (storage!.getStore() !== previous) storage!.enterWith(previous);
}

/**
 * Marks `who` as running for a callback that must finish synchronously (the fused pass of an
 * upgrade): two assignments in every mode, no AsyncLocalStorage switch. What such a callback
 * schedules for later (a timer, a promise) is not attributed to `who`.
 */
export function enterSync(who: Attributed | undefined): Attributed | undefined {
  if (mode === OFF) return undefined;
  const previous = override;
  override = who;
  return previous;
}

export function leaveSync(previous: Attributed | undefined): void {
  if (mode !== OFF) override = previous;
}

/** `fn()` with `who` marked as running. */
export function runAs<T>(who: Attributed, fn: () => T): T {
  const previous = enter(who);
  try {
    return fn();
  } finally {
    leave(previous);
  }
}
