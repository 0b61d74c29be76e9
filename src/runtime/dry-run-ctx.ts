/**
 * The `ctx` a codeChange receives in a dry run (`relx upgrade --dry-run`), which changes nothing
 * (SPEC §7). What only delivers delivers nowhere (inert-ctx.ts). `self` is the process's pid, and
 * `call` is made as on a real upgrade: its answer is what the codeChange computes with. `spawn`
 * would start a process, so it rejects with RELX_DRY_RUN, which fails that process's result. What
 * `own` is given is closed once the codeChange has settled (no process keeps it).
 */
import { RelxError } from "../errors.js";
import { InertCtx } from "./inert-ctx.js";
import { closeAll } from "./own.js";
import type { Pid } from "./pid.js";
import type { Process } from "./process.js";
import type { Dest, ServerDef } from "./types.js";

export class DryRunCtx extends InertCtx {
  private owned: object[] | null = null;

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
    return Promise.reject(new RelxError("RELX_DRY_RUN", `ctx.spawn(${typeof server?.name === "string" ? server.name : "a server"}) was not run: a dry run starts no process`, {
      hint: "the real upgrade runs it; to see this codeChange's result in a dry run, spawn after the upgrade (in handleInfo, say) or not when the process is only being tried",
    }));
  }

  own<T>(resource: T): T {
    if (resource !== null && (typeof resource === "object" || typeof resource === "function")) (this.owned ??= []).push(resource as object);
    return resource;
  }

  /** Closes what the codeChange owned, newest first, in the background (never rejects). */
  close(): void {
    const owned = this.owned;
    this.owned = null;
    if (owned !== null) void closeAll(owned);
  }
}
