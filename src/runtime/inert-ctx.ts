/**
 * What the ctx of a codeChange or init that is only being tried does with what would reach other
 * processes: nothing. Shared by a dry run's ctx (dry-run-ctx.ts) and check-upgrade's
 * (check/check-ctx.ts): `cast`, `send`, `reply`, `sendAfter` and a bound callback deliver nowhere,
 * as a message to a process that is gone does in OTP; `stop` stops nothing; a monitor never fires.
 * Each says for itself what `self`, `call`, `spawn` and `own` do.
 */
import type { Pid } from "./pid.js";
import type { Ctx, Dest, ServerDef, SpawnOptions } from "./types.js";

const nothing = (): void => undefined;
let monitors = 0;

export abstract class InertCtx implements Ctx {
  abstract readonly self: Pid;
  abstract call(to: Dest, msg: unknown, timeoutMs?: number): Promise<unknown>;
  abstract spawn(server: ServerDef, args?: unknown, options?: SpawnOptions): Promise<Pid>;
  abstract own<T>(resource: T): T;

  cast(): void {}
  send(): void {}
  reply(): void {}
  stop(): void {}

  sendAfter(): { cancel(): void } {
    return { cancel: nothing };
  }

  bind(): (...args: unknown[]) => void {
    return nothing;
  }

  monitor(): number {
    return ++monitors;
  }

  demonitor(): void {}
}
