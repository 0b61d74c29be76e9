/**
 * Process: one GenServer-like process. A FIFO mailbox of user messages, a queue of system
 * operations (sys.*) that take priority and run even while suspended, and one thing in hand
 * at a time: the next message starts only after the previous callback's promise settles.
 *
 * Its `phase` is changed here only, by the methods named in the table:
 *
 * | phase      | something in hand | takes user messages  | takes system operations | leaves by                              |
 * |------------|-------------------|----------------------|-------------------------|----------------------------------------|
 * | busy       | yes (init first)  | queued               | queued until done       | idle() → idle; suspend() → suspending  |
 * | idle       | no                | yes                  | yes                     | begin() → busy; suspend() → suspended  |
 * | suspending | yes               | queued               | queued until done       | idle() → suspended; resume() → busy    |
 * | suspended  | no                | queued               | yes                     | begin() → suspending; resume() → idle  |
 * | exited     | —                 | refused (no process) | refused                 | (final: markExited())                  |
 *
 * A system operation that runs while suspended puts it in `suspending` for as long as it runs.
 * Crashes are handled in crash.ts and the end of a process in exit.ts; they, and the ctx every
 * callback receives, are reached through ProcessHooks (installed by lifecycle.ts), so that this
 * module imports none of the modules that import it.
 */
import { RelxError, textOf } from "../errors.js";
import { inert, trying } from "./ahead.js";
import { emitRuntimeEvent } from "./events.js";
import { CALL, CAST, callbackName, isThenable, type CrashInfo, type Message } from "./message.js";
import type { PendingCall } from "./pending-call.js";
import { processName, type Pid } from "./pid.js";
import { Queue } from "./queue.js";
import { runNow, schedule } from "./scheduler.js";
import type { Ctx, OldVsn, ProcessInfo, RestartPolicy, ServerDef } from "./types.js";

/** What a codeChange, tried ahead of an upgrade's pause, made of the process's state. */
export interface Ahead {
  /** The state it was tried on (a copy of it was given), and the process's epoch then. */
  from: unknown;
  epoch: number;
  /** The definition whose codeChange ran, with what oldVsn. */
  holder: ServerDef;
  oldVsn: OldVsn;
  /**
   * The run it was tried for (bulk.ts CodeChangeRun): the pass, on the tries' own plan as it
   * mostly is, compares that (an object, up or down) before the oldVsn (a string up, an object
   * down: a comparison V8 specializes to the upgrades' strings, and deoptimizes at the first
   * downgrade).
   */
  run: object | null;
  result: unknown;
}

export type Phase = "busy" | "idle" | "suspending" | "suspended" | "exited";

/** What a process needs from the modules above it. */
export interface ProcessHooks {
  ctx(p: Process): Ctx;
  crash(p: Process, info: CrashInfo): void;
  exit(p: Process, reason: unknown): void;
}

let hooks: ProcessHooks = {
  ctx: notInstalled,
  crash: notInstalled,
  exit: notInstalled,
};

export function installProcessHooks(h: ProcessHooks): void {
  hooks = h;
}

function notInstalled(): never {
  throw new RelxError("RELX_BUG", "the runtime's process hooks are not installed; import relx's runtime through its index");
}

type SysOp = () => unknown;

/**
 * A message to a process while its own codeChange is tried ahead of the pause (ahead.ts): sent by
 * that try (the run queue is held), or by what a dropped try's promise still does, through the API
 * rather than its ctx. Kept, it would be handled by the old code, which makes the try useless, and
 * sent again by the codeChange the pause then runs: so it is dropped with the try, as a send
 * through the ctx is, and happens once, in the pause.
 */
function refusedWhileTried(from: PendingCall | null): void {
  trying.used = true;
  from?.reject(new RelxError("RELX_TRIED_AHEAD", "a call to a process while its codeChange was tried ahead of the pause; that try is dropped and the codeChange runs again in the pause"));
}

/**
 * How many times any process finished something (idle()): when it has not moved, no process ran
 * anything, and no try made ahead of an upgrade's pause went stale (bulk.ts computeAhead).
 */
export const finished = { count: 0 };

export class Process {
  state: unknown = undefined;
  phase: Phase = "busy";
  scheduled = false;
  handled = 0;
  /**
   * Counts what the process has had in hand (each ends in idle()): a codeChange tried ahead of an
   * upgrade's pause (bulk.ts computeAhead) is used only if nothing ran since, its state then as
   * it was tried on.
   */
  epoch = 0;
  /** A codeChange's result tried ahead of the pause, for the fused pass (bulk.ts), else null. */
  ahead: Ahead | null = null;
  mailbox: Queue<Message> | null = null;
  /** What few processes ever need, allocated on first use: an idle process stays small. */
  private x: Extras | null = null;
  /** The ctx its callbacks receive, made on first use and kept: one per process, not per callback. */
  private c: Ctx | null = null;

  constructor(
    readonly pid: Pid,
    public def: ServerDef,
    readonly args: unknown,
    readonly name: string | null,
    readonly restart: RestartPolicy,
  ) {}

  get alive(): boolean {
    return this.phase !== "exited";
  }
  /** Something in hand: a callback or a system operation runs. */
  get busy(): boolean {
    return this.phase === "busy" || this.phase === "suspending";
  }
  get suspended(): boolean {
    return this.phase === "suspended" || this.phase === "suspending";
  }

  /** It holds only this process (never its code), so one serves every callback of every incarnation. */
  get ctx(): Ctx {
    return (this.c ??= hooks.ctx(this));
  }

  private ext(): Extras {
    return (this.x ??= new Extras());
  }
  /** The rarely used fields (owned resources, monitors, …), made on first use by own.ts and monitor.ts. */
  get extras(): Extras | null {
    return this.x;
  }
  ensureExtras(): Extras {
    return this.ext();
  }
  /** Counts restarts in place: callbacks bound to an earlier incarnation deliver nothing. */
  get incarnation(): number {
    return this.x === null ? 0 : this.x.incarnation;
  }
  get sysq(): Queue<{ op: SysOp; done: PendingSys }> | null {
    return this.x === null ? null : this.x.sysq;
  }
  set sysq(v) {
    if (v !== null || this.x !== null) this.ext().sysq = v;
  }
  /** A system operation is queued. */
  hasSysq(): boolean {
    const x = this.x;
    return x !== null && x.sysq !== null && x.sysq.length > 0;
  }
  get timers(): Set<ReturnType<typeof setTimeout>> | null {
    return this.x === null ? null : this.x.timers;
  }
  set timers(v) {
    if (v !== null || this.x !== null) this.ext().timers = v;
  }
  get restartTimes(): number[] | null {
    return this.x === null ? null : this.x.restartTimes;
  }
  set restartTimes(v) {
    this.ext().restartTimes = v;
  }
  get suspendWaiters(): (() => void)[] | null {
    return this.x === null ? null : this.x.suspendWaiters;
  }
  set suspendWaiters(v) {
    if (v !== null || this.x !== null) this.ext().suspendWaiters = v;
  }
  /** A stop asked for by ctx.stop while a callback runs (undefined: none). */
  get stopReason(): unknown {
    return this.x === null ? undefined : this.x.stopReason;
  }
  set stopReason(v) {
    if (v !== undefined || this.x !== null) this.ext().stopReason = v;
  }
  get restarts(): number {
    return this.x === null ? 0 : this.x.restarts;
  }
  set restarts(v) {
    this.ext().restarts = v;
  }

  get label(): string {
    return this.name === null ? `${this.def.name} ${this.pid}` : `${this.def.name} "${this.name}"`;
  }

  deliver(m: Message): void {
    if (inert(this)) return refusedWhileTried(m.from);
    (this.mailbox ??= new Queue()).push(m);
    if (this.phase === "idle") schedule(this);
  }

  /**
   * Delivers a message given by its parts. An idle process with nothing queued handles it at once
   * (scheduler.ts runNow: when nothing else runs), with no Message made and no queue touched;
   * otherwise it is queued as deliver does.
   */
  deliverParts(kind: number, msg: unknown, from: PendingCall | null): void {
    if (inert(this)) return refusedWhileTried(from);
    if (this.phase === "idle" && !this.scheduled && (this.mailbox === null || this.mailbox.length === 0) && !this.hasSysq() && runNow(this, kind, msg, from)) {
      return;
    }
    this.deliver({ kind, msg, from });
  }

  /** Called by the scheduler: take one thing off the queues. */
  runOne(): void {
    if (this.phase !== "idle" && this.phase !== "suspended") return;
    if (this.hasSysq()) return this.runSys();
    if (this.phase === "suspended" || this.mailbox === null) return;
    const m = this.mailbox.shift();
    if (m !== undefined) this.dispatch(m.kind, m.msg, m.from);
  }

  // ---- phase transitions ---------------------------------------------------------------

  /** Something is now in hand (a message, a system operation, a crash being handled). */
  begin(): void {
    if (this.phase === "idle") this.phase = "busy";
    else if (this.phase === "suspended") this.phase = "suspending";
  }

  /** The thing in hand is done: answer suspend waiters, honour a crash or a stop, take the next thing. */
  idle(): void {
    if (this.phase === "exited") return;
    this.epoch++;
    finished.count++;
    this.phase = this.phase === "suspending" || this.phase === "suspended" ? "suspended" : "idle";
    if (this.x !== null && this.x.pendingCrash !== undefined) {
      const crash = this.x.pendingCrash;
      this.x.pendingCrash = undefined;
      return this.crash(crash);
    }
    if (this.stopReason !== undefined) {
      const reason = this.stopReason;
      this.stopReason = undefined;
      return this.crash({ error: reason, message: null, callback: "stop", requested: true });
    }
    const waiters = this.suspendWaiters;
    if (waiters !== null) {
      this.suspendWaiters = null;
      for (const w of waiters) w();
    }
    if (this.hasSysq() || (this.phase === "idle" && this.mailbox !== null && this.mailbox.length > 0)) {
      schedule(this);
    }
  }

  /** Suspends; resolves once the thing in hand is done (at once when nothing is). */
  suspend(): void | Promise<void> {
    if (this.phase === "exited") throw exited(this);
    if (this.phase === "idle") this.phase = "suspended";
    else if (this.phase === "busy") this.phase = "suspending";
    if (this.phase === "suspended") return;
    return new Promise<void>((resolve) => (this.suspendWaiters ??= []).push(resolve));
  }

  resume(): void {
    if (this.phase === "exited") throw exited(this);
    if (this.phase === "suspending") this.phase = "busy";
    else if (this.phase === "suspended") {
      this.phase = "idle";
      if (this.mailbox !== null && this.mailbox.length > 0) schedule(this);
    }
  }

  /** The final transition; exit.ts does the rest of the clean-up. */
  markExited(): void {
    this.phase = "exited";
  }

  // ---- user messages -------------------------------------------------------------------

  /** Runs the callback for one message (scheduler.ts calls it directly for runNow). */
  dispatch(kind: number, msg: unknown, from: PendingCall | null): void {
    this.phase = "busy";
    const def = this.def;
    let result: unknown;
    try {
      if (kind === CALL) {
        if (def.handleCall === undefined) return this.noHandler({ kind, msg, from });
        result = def.handleCall(msg, from!, this.state, this.ctx);
      } else if (kind === CAST) {
        if (def.handleCast === undefined) return this.noHandler({ kind, msg, from });
        result = def.handleCast(msg, this.state, this.ctx);
      } else {
        if (def.handleInfo === undefined) return this.noHandler({ kind, msg, from });
        result = def.handleInfo(msg, this.state, this.ctx);
      }
    } catch (err) {
      return this.crash({ error: err, message: { kind, msg, from }, callback: callbackName(kind) });
    }
    if (isThenable(result)) {
      // Promise.resolve: a thenable whose `then` throws is a rejection, not a throw out of here.
      Promise.resolve(result).then(
        (r) => this.finish(kind, msg, from, r),
        (err) => this.crash({ error: err, message: { kind, msg, from }, callback: callbackName(kind) }),
      );
    } else {
      this.finish(kind, msg, from, result);
    }
  }

  private finish(kind: number, msg: unknown, from: PendingCall | null, r: unknown): void {
    if (this.phase === "exited") return;
    if (kind === CALL) {
      if (r === null || typeof r !== "object") {
        return this.crash({ error: malformed("handleCall", "{ reply, state }", r), message: { kind, msg, from }, callback: "handleCall" });
      }
      // Read once, and under try: a getter or proxy trap of the result that throws crashes the
      // process, as a throw in handleCall does, instead of leaving it busy for good.
      let state: unknown;
      let replies = false;
      let reply: unknown;
      try {
        if (!("state" in r)) return this.crash({ error: malformed("handleCall", "{ reply, state }", r), message: { kind, msg, from }, callback: "handleCall" });
        state = (r as { state: unknown }).state;
        replies = "reply" in r;
        if (replies) reply = (r as unknown as { reply: unknown }).reply;
      } catch (err) {
        return this.crash({ error: err, message: { kind, msg, from }, callback: "handleCall" });
      }
      this.state = state;
      if (replies) from!.resolve(reply);
    } else {
      if (r === undefined && this.state !== undefined) {
        const cb = callbackName(kind);
        return this.crash({ error: malformed(cb, "the new state", r), message: { kind, msg, from }, callback: cb });
      }
      this.state = r;
    }
    this.handled++;
    this.idle();
  }

  private noHandler(m: Message): void {
    const cb = callbackName(m.kind);
    const err = new RelxError("RELX_NO_HANDLER", `${this.label} has no ${cb}; the message was not handled`, {
      hint: `add ${cb} to server ${this.def.name}, or send another kind of message`,
      process: processName(this),
    });
    if (m.from !== null) m.from.reject(err);
    else emitRuntimeEvent({ type: "unhandled", process: this, error: err, msg: m.msg });
    this.idle();
  }

  crash(info: CrashInfo): void {
    hooks.crash(this, info);
  }

  /** A crash from outside the thing in hand (an owned emitter's error): now if idle, else once it is done. */
  crashSoon(info: CrashInfo): void {
    if (this.phase === "exited") return;
    if (this.busy) this.ext().pendingCrash ??= info;
    else this.crash(info);
  }

  /** Clears timers, unregisters, and fails everything still queued. */
  exit(reason: unknown): void {
    hooks.exit(this, reason);
  }

  // ---- system operations -------------------------------------------------------------

  /** Runs `op` between messages (now, if nothing is in hand); its result or a promise of it. */
  system<T>(op: () => T | Promise<T>): T | Promise<T> {
    if (this.phase === "exited") throw exited(this);
    if (!this.busy && !this.hasSysq()) return this.runSysNow(op);
    const done = new PendingSys();
    (this.sysq ??= new Queue()).push({ op, done });
    return done.promise as Promise<T>;
  }

  private runSys(): void {
    const item = this.sysq!.shift()!;
    let r: unknown;
    try {
      r = this.runSysNow(item.op);
    } catch (err) {
      return item.done.reject(err);
    }
    if (isThenable(r)) r.then((v) => item.done.resolve(v), (e) => item.done.reject(e));
    else item.done.resolve(r);
  }

  private runSysNow<T>(op: () => T | Promise<T>): T | Promise<T> {
    this.begin();
    let r: T | Promise<T>;
    try {
      r = op();
    } catch (err) {
      this.idle();
      throw err;
    }
    if (!isThenable(r)) {
      this.idle();
      return r;
    }
    return Promise.resolve(r).finally(() => this.idle());
  }

  info(): ProcessInfo {
    return {
      pid: this.pid,
      name: this.name,
      server: this.def.name,
      vsn: this.def.vsn ?? null,
      status: this.phase === "exited" ? "down" : this.suspended ? "suspended" : "running",
      queue: this.mailbox === null ? 0 : this.mailbox.length,
      handled: this.handled,
      restarts: this.restarts,
    };
  }

  addTimer(t: ReturnType<typeof setTimeout>): void {
    (this.timers ??= new Set()).add(t);
  }
}

export class Extras {
  sysq: Queue<{ op: SysOp; done: PendingSys }> | null = null;
  timers: Set<ReturnType<typeof setTimeout>> | null = null;
  restartTimes: number[] | null = null;
  suspendWaiters: (() => void)[] | null = null;
  stopReason: unknown = undefined;
  pendingCrash: CrashInfo | undefined = undefined;
  restarts = 0;
  incarnation = 0;
  /** What ctx.own tied to this process, oldest first. */
  owned: object[] | null = null;
  /** Monitors of this process: ref → the watcher's pid. */
  monitors: Map<number, Pid> | null = null;
  /** Monitors this process holds: ref → the watched pid. */
  watching: Map<number, Pid> | null = null;
}

/** A system operation waiting in the queue, settled when it has run. */
export class PendingSys {
  resolve!: (v: unknown) => void;
  reject!: (e: unknown) => void;
  readonly promise = new Promise<unknown>((res, rej) => {
    this.resolve = res;
    this.reject = rej;
  });
}

function malformed(callback: string, expected: string, got: unknown): RelxError {
  return new RelxError("RELX_CALLBACK_FAILED", `${callback} returned a malformed result: expected ${expected}, got ${shownResult(got)}`);
}

/** The start of a result's JSON; what JSON cannot show (a BigInt, a cycle, a toJSON that throws) by its kind. */
function shownResult(got: unknown): string {
  if (got === undefined) return "undefined";
  try {
    return JSON.stringify(got)?.slice(0, 80) ?? typeof got;
  } catch {
    return textOf(got).slice(0, 80);
  }
}

export function exited(p: Process): RelxError {
  return new RelxError("RELX_NO_SUCH_PROCESS", `${p.label} has exited`, {
    hint: "see the running processes with `relx status`",
    process: processName(p),
  });
}
