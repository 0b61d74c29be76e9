/**
 * The `ctx` a codeChange receives in a dry run (`relx upgrade --dry-run`), which changes nothing
 * (SPEC §7). What only delivers delivers nowhere (inert-ctx.ts). `self` is the process's pid, and
 * `call` is made as on a real upgrade: its answer is what the codeChange computes with. `spawn`
 * would start a process, so it rejects with RELX_DRY_RUN, which fails that process's result. What
 * `own` is given is closed once the codeChange has settled (no process keeps it; what is owned
 * later, at once), and its error events crash nothing. But what the live process already has (a
 * handle its state holds, which copyState passes as the same object, or what it owns) is left
 * alone: the dry run did not make it, and closing it would change the live node.
 */
import { types } from "node:util";
import { RelxError } from "../errors.js";
import { InertCtx } from "./inert-ctx.js";
import { closeAll, isEmitter } from "./own.js";
import type { Pid } from "./pid.js";
import type { Process } from "./process.js";
import { isPlainObject } from "./render.js";
import type { Dest, ServerDef } from "./types.js";

const nothing = (): void => undefined;

export class DryRunCtx extends InertCtx {
  private owned: object[] | null = null;
  /** Set by close(): what is owned later (an async codeChange the dry run stopped waiting for) is closed at once. */
  private closed = false;
  /** The live process's handles (liveHandles), found on the first own. */
  private live: Set<object> | null = null;

  constructor(private readonly p: Process) {
    super();
  }

  get self(): Pid {
    return this.p.pid;
  }

  call(to: Dest, msg: unknown, timeoutMs?: number): Promise<unknown> {
    return this.p.ctx.call(to, msg, timeoutMs);
  }

  spawn(server: ServerDef): Promise<Pid> {
    const refused = Promise.reject(new RelxError("RELX_DRY_RUN", `ctx.spawn(${typeof server?.name === "string" ? server.name : "a server"}) was not run: a dry run starts no process`, {
      hint: "the real upgrade runs it; to see this codeChange's result in a dry run, spawn after the upgrade (in handleInfo, say) or not when the process is only being tried",
    }));
    // Marked handled: a codeChange that awaits it still gets the rejection, but one that does not
    // (`void ctx.spawn(…)`) must not leave an unhandled rejection of relx's making, which the daemon
    // would take for the live process's own and crash it (its state lost) in a dry run.
    refused.catch(() => undefined);
    return refused;
  }

  own<T>(resource: T): T {
    if (resource === null || (typeof resource !== "object" && typeof resource !== "function")) return resource;
    const r = resource as object;
    // A live handle (`ctx.own(state.server)`, a codeChange that has its process own what it did
    // not): the live process keeps it; the dry run neither closes it nor adds a listener to it.
    const live = (this.live ??= liveHandles(this.p));
    if (live.has(r) || closesLive(r, live)) return resource;
    // An emitter's "error" with no other listener would be thrown into the daemon and taken for the
    // live process's own (crashing it, its state lost); what a dry run owns only gets closed.
    if (isEmitter(r)) r.on("error", nothing);
    if (this.closed) void closeAll([r]);
    else (this.owned ??= []).push(r);
    return resource;
  }

  /** Closes what the codeChange owned, newest first, in the background (never rejects). */
  close(): void {
    const owned = this.owned;
    this.owned = null;
    this.closed = true;
    if (owned !== null) void closeAll(owned);
  }
}

/**
 * The live process's handles: what it owns, and what is reached from its state through what
 * copyState copies (arrays, plain objects, Maps, Sets), the places where the copy a codeChange
 * gets holds the live object itself. Handles are not looked into; a value that cannot be read (a
 * proxy trap that throws) is skipped. One walk, as copyState's, however much the codeChange owns.
 */
function liveHandles(p: Process): Set<object> {
  const live = new Set<object>(p.extras?.owned ?? []);
  const seen = new Set<object>();
  const todo: unknown[] = [p.state];
  while (todo.length > 0) {
    const v = todo.pop();
    if (v === null || (typeof v !== "object" && typeof v !== "function") || seen.has(v)) continue;
    seen.add(v);
    try {
      if (Array.isArray(v)) for (const x of v) todo.push(x);
      else if (types.isMap(v)) for (const [k, x] of v) todo.push(k, x);
      else if (types.isSet(v)) for (const x of v) todo.push(x);
      else if (typeof v === "object" && isPlainObject(v)) {
        const o = v as Record<string | symbol, unknown>;
        for (const key of Object.keys(o)) todo.push(o[key]);
        for (const key of Object.getOwnPropertySymbols(o)) todo.push(o[key]);
      } else live.add(v);
    } catch {
      // Unreadable: not the live process's as far as relx can tell.
    }
  }
  return live;
}

/**
 * Whether `r` is a copy of a plain object of the live state that closes a live handle: its close
 * (or destroy, or dispose) is a function of the live state, which copyState shares
 * (`{ close: () => server.close() }`). Closing the copy would close the live one.
 */
function closesLive(r: object, live: Set<object>): boolean {
  try {
    if (typeof r !== "object" || !isPlainObject(r)) return false;
    const x = r as Record<string | symbol, unknown>;
    return [x.close, x.destroy, x[Symbol.asyncDispose], x[Symbol.dispose]].some((fn) => typeof fn === "function" && live.has(fn));
  } catch {
    return false;
  }
}
