/**
 * The runtime's message API (SPEC §4): start, call, cast, send, whereis, stop.
 * call/start return promises; cast/send/whereis are synchronous.
 */
import { RelxError, describeValue } from "../errors.js";
import { runTerminate } from "./crash.js";
import { isServerDef, RESTART_POLICIES } from "./define.js";
import { PendingCall } from "./pending-call.js";
import type { Pid } from "./pid.js";
import { CALL, CAST, INFO, isThenable, Process } from "./process.js";
import { allocatePid, isNameTaken, lookup, nameTakenError, register, resolve } from "./registry.js";
import type { Dest, ServerDef, SpawnOptions } from "./types.js";

let callTimeoutMs = 5000;

export function defaultCallTimeoutMs(): number {
  return callTimeoutMs;
}

export function setDefaultCallTimeout(ms: number): void {
  callTimeoutMs = checkTimeout(ms);
}

/** Starts a process; resolves to its pid once init has returned. Throws RELX_INIT_FAILED, RELX_NAME_TAKEN, RELX_BAD_ARGUMENT. */
export async function start(server: ServerDef, args?: unknown, options: SpawnOptions = {}): Promise<Pid> {
  return (await startProcess(server, args, options)).pid;
}

/** start, but hands back the process, synchronously when init is synchronous. */
export function startProcess(server: ServerDef, args: unknown, options: SpawnOptions = {}): Process | Promise<Process> {
  if (!isServerDef(server)) {
    throw new RelxError("RELX_BAD_ARGUMENT", `expected a server definition with a name and an init function, got ${describeValue(server)}`);
  }
  const restart = options.restart ?? "permanent";
  if (!RESTART_POLICIES.includes(restart)) {
    throw new RelxError("RELX_BAD_ARGUMENT", `expected restart to be one of ${RESTART_POLICIES.join(", ")}, got ${describeValue(restart)}`);
  }
  const name = options.name ?? null;
  if (name !== null && isNameTaken(name)) throw nameTakenError(name);
  const p = new Process(allocatePid(), server, args, name, restart);
  register(p);
  const fail = (err: unknown): never => {
    p.exit(err);
    const text = err instanceof Error ? err.message : String(err);
    throw new RelxError("RELX_INIT_FAILED", `${p.label} failed to start: init threw: ${text}`, {
      cause: err,
      process: name ?? String(p.pid),
      hint: `fix ${server.name}.init or its start args`,
    });
  };
  const ok = (state: unknown): Process => {
    p.state = state;
    p.idle();
    return p;
  };
  let r: unknown;
  try {
    r = server.init(args, p.ctx);
  } catch (err) {
    return fail(err);
  }
  return isThenable(r) ? Promise.resolve(r).then(ok, fail) : ok(r);
}

/** Calls `dest` and resolves to its reply. Rejects with RELX_CALL_TIMEOUT, RELX_NO_SUCH_PROCESS, RELX_NO_HANDLER, RELX_CALLBACK_FAILED. */
export function call(dest: Dest, msg: unknown, timeoutMs: number = callTimeoutMs): Promise<unknown> {
  let p: Process;
  try {
    p = resolve(dest);
    if (timeoutMs !== callTimeoutMs) checkTimeout(timeoutMs);
  } catch (err) {
    return Promise.reject(err);
  }
  return callProcess(p, msg, timeoutMs, null);
}

export function callProcess(p: Process, msg: unknown, timeoutMs: number, caller: Pid | null): Promise<unknown> {
  const pending = new PendingCall(caller, p, timeoutMs);
  p.deliver({ kind: CALL, msg, from: pending });
  return pending.promise();
}

/** Casts to `dest`'s handleCast. Throws RELX_NO_SUCH_PROCESS when nothing runs there. */
export function cast(dest: Dest, msg: unknown): void {
  resolve(dest).deliver({ kind: CAST, msg, from: null });
}

/** Sends to `dest`'s handleInfo. Throws RELX_NO_SUCH_PROCESS when nothing runs there. */
export function send(dest: Dest, msg: unknown): void {
  resolve(dest).deliver({ kind: INFO, msg, from: null });
}

/** The pid registered under `name`, or undefined. */
export function whereis(name: string): Pid | undefined {
  return lookup(name)?.pid;
}

/** Stops a process for good (no restart): waits for the message in hand, runs terminate, exits. */
export function stop(dest: Dest, reason: unknown = "normal"): Promise<void> {
  try {
    const p = resolve(dest);
    const terminateThenExit = () =>
      new Promise<void>((done) =>
        runTerminate(p, reason, () => {
          p.exit(reason);
          done();
        }),
      );
    return Promise.resolve(p.system(terminateThenExit));
  } catch (err) {
    return Promise.reject(err);
  }
}

function checkTimeout(ms: unknown): number {
  if (typeof ms === "number" && (ms > 0 || ms === Infinity)) return ms;
  throw new RelxError("RELX_BAD_ARGUMENT", `expected a timeout in ms greater than 0 (or Infinity), got ${describeValue(ms)}`);
}
