/**
 * The `ctx` a codeChange receives in a dry run (`relx upgrade --dry-run`), which changes nothing
 * (SPEC §7). What only delivers delivers nowhere (inert-ctx.ts). `self` is the process's pid, and
 * `call` is made as on a real upgrade: its answer is what the codeChange computes with. `spawn`
 * would start a process, so it rejects with RELX_DRY_RUN, which fails that process's result. What
 * `own` is given is closed once the codeChange has settled (no process keeps it; what is owned
 * later, at once), and its error events crash nothing.
 */
import { RelxError } from "../errors.js";
import { InertCtx } from "./inert-ctx.js";
import { closeAll } from "./own.js";
import type { Pid } from "./pid.js";
import type { Process } from "./process.js";
import type { Dest, ServerDef } from "./types.js";

const nothing = (): void => undefined;

export class DryRunCtx extends InertCtx {
  private owned: object[] | null = null;
  /** Set by close(): what is owned later (an async codeChange the dry run stopped waiting for) is closed at once. */
  private closed = false;

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
    // An emitter's "error" with no other listener would be thrown into the daemon and taken for the
    // live process's own (crashing it, its state lost); what a dry run owns only gets closed.
    const e = r as { on?: unknown; listenerCount?: unknown };
    if (typeof e.on === "function" && typeof e.listenerCount === "function") (r as { on(event: string, fn: () => void): unknown }).on("error", nothing);
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
