/**
 * The `ctx` that init and codeChange receive under check-upgrade. No node runs there, so nothing
 * can answer: `call` and `spawn` reject with RELX_CHECK_NO_NODE, and what only delivers
 * (`cast`, `send`, `reply`, `sendAfter`, a bound callback, `stop`) delivers nowhere, as a message
 * to a process that is gone does in OTP. No process ends under a check, so a monitor never fires;
 * what `own` is given is closed when the check's worker ends. `self` is the pid the state was
 * recorded under.
 */
import { RelxError } from "../errors.js";
import { InertCtx } from "../runtime/inert-ctx.js";
import { Pid } from "../runtime/pid.js";
import type { Dest, ServerDef } from "../runtime/types.js";

const noNode = (what: string): RelxError =>
  new RelxError("RELX_CHECK_NO_NODE", `${what}: no node runs under check-upgrade, so no process can answer`, {
    hint: "record the states on a live node with `relx state --all --json` and check them with --states, or try the upgrade with `relx upgrade <vsn> --dry-run`",
  });

export class CheckCtx extends InertCtx {
  private pid: Pid | undefined;

  /** `recorded`: the pid the state was recorded under ("<0.12.0>"); else one made from `index`. */
  constructor(private readonly recorded: string | null, private readonly index: number) {
    super();
  }

  // Made when asked for: most codeChanges never look at it.
  get self(): Pid {
    this.pid ??= (this.recorded === null ? null : Pid.parse(this.recorded)) ?? new Pid(this.index + 1);
    return this.pid;
  }

  call(to: Dest): Promise<unknown> {
    return Promise.reject(noNode(`ctx.call(${String(to)})`));
  }

  spawn(server: ServerDef): Promise<Pid> {
    return Promise.reject(noNode(`ctx.spawn(${server?.name ?? "a server"})`));
  }

  own<T>(resource: T): T {
    return resource;
  }
}
