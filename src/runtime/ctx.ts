/**
 * ProcessCtx: the `ctx` every callback receives. It holds only the process, never its code, so
 * timers and Node callbacks registered through it deliver into the mailbox and are handled by
 * whatever code is current, and an old release's code is not kept alive by them. While a
 * codeChange is tried ahead of an upgrade's pause (ahead.ts), each method does nothing and says so.
 */
import { RelxError } from "../errors.js";
import { inert, notNow, trying } from "./ahead.js";
import { callProcess, defaultCallTimeoutMs } from "./call.js";
import { CAST, INFO } from "./message.js";
import { PendingCall } from "./pending-call.js";
import type { Process } from "./process.js";
import { lookup, resolve } from "./registry.js";
import { demonitor, monitor } from "./monitor.js";
import { own } from "./own.js";
import { startProcess } from "./spawn.js";
import type { Ctx, Dest, From, ServerDef, SpawnOptions } from "./types.js";
import type { Pid } from "./pid.js";

const nothing = (): void => undefined;

/** A throw of startProcess is a rejection, as ever. */
async function spawnProcess(server: ServerDef, args: unknown, options: SpawnOptions): Promise<Pid> {
  return (await startProcess(server, args, options)).pid;
}

export class ProcessCtx implements Ctx {
  constructor(private readonly p: Process) {}

  get self(): Pid {
    return this.p.pid;
  }

  call(to: Dest, msg: unknown, timeoutMs: number = defaultCallTimeoutMs()): Promise<unknown> {
    if (inert(this.p)) return notNow("call");
    let target: Process;
    try {
      target = resolve(to);
    } catch (err) {
      return Promise.reject(err);
    }
    return callProcess(target, msg, timeoutMs, this.p.pid);
  }

  /** As in OTP, a cast or send to a process that is gone is dropped, not an error. */
  cast(to: Dest, msg: unknown): void {
    if (inert(this.p)) return void (trying.used = true);
    lookup(to)?.deliver({ kind: CAST, msg, from: null });
  }

  send(to: Dest, msg: unknown): void {
    if (inert(this.p)) return void (trying.used = true);
    lookup(to)?.deliver({ kind: INFO, msg, from: null });
  }

  reply(from: From, value: unknown): void {
    if (inert(this.p)) return void (trying.used = true);
    if (!(from instanceof PendingCall)) {
      throw new RelxError("RELX_BAD_ARGUMENT", "ctx.reply expects the `from` that handleCall received");
    }
    from.resolve(value);
  }

  sendAfter(ms: number, msg: unknown): { cancel(): void } {
    if (inert(this.p)) {
      trying.used = true;
      return { cancel: nothing };
    }
    const p = this.p;
    const timer = setTimeout(() => {
      p.timers?.delete(timer);
      if (p.alive) p.deliver({ kind: INFO, msg, from: null });
    }, ms);
    p.addTimer(timer);
    return {
      cancel() {
        clearTimeout(timer);
        p.timers?.delete(timer);
      },
    };
  }

  spawn(server: ServerDef, args?: unknown, options: SpawnOptions = {}): Promise<Pid> {
    if (inert(this.p)) return notNow("spawn");
    return spawnProcess(server, args, options);
  }

  stop(reason: unknown = "normal"): void {
    if (inert(this.p)) return void (trying.used = true);
    const p = this.p;
    if (!p.alive) return;
    if (p.busy) p.stopReason = reason;
    else p.crash({ error: reason, message: null, callback: "stop", requested: true });
  }

  /** Delivers `{ tag, args: [...bound, ...args] }`; nothing once the process exited or restarted. */
  bind(tag: string, ...bound: unknown[]): (...args: unknown[]) => void {
    if (inert(this.p)) {
      trying.used = true;
      return nothing;
    }
    const p = this.p;
    const incarnation = p.incarnation;
    return (...args: unknown[]) => {
      if (p.alive && p.incarnation === incarnation) p.deliver({ kind: INFO, msg: { tag, args: bound.length === 0 ? args : [...bound, ...args] }, from: null });
    };
  }

  own<T>(resource: T): T {
    if (inert(this.p)) {
      trying.used = true;
      return resource;
    }
    return own(this.p, resource);
  }

  monitor(to: Dest): number {
    if (inert(this.p)) {
      trying.used = true;
      return 0;
    }
    return monitor(this.p, to);
  }

  demonitor(ref: number): void {
    if (inert(this.p)) return void (trying.used = true);
    demonitor(this.p, ref);
  }
}
