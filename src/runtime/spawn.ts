/** Starting a process: checked arguments, a registered pid, init run (synchronously when it can be). */
import { RelxError, describeValue, textOf } from "../errors.js";
import { enter, leave } from "./attribution.js";
import { isServerDef, RESTART_POLICIES } from "./define.js";
import { isThenable } from "./message.js";
import { processName } from "./pid.js";
import { Process } from "./process.js";
import { allocatePid, isNameTaken, nameTakenError, register } from "./registry.js";
import type { ServerDef, SpawnOptions } from "./types.js";

export interface StartOptions extends SpawnOptions {
  /** How long an async init may take; past it the process is ended and the start fails. Default: no limit. */
  initTimeoutMs?: number;
}

/**
 * Starts a process and hands it back once init has returned: synchronously when init is
 * synchronous, else as a promise. Throws RELX_INIT_FAILED, RELX_NAME_TAKEN, RELX_BAD_ARGUMENT.
 */
export function startProcess(server: ServerDef, args: unknown, options: StartOptions = {}): Process | Promise<Process> {
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
    const text = err instanceof InitTimeout ? err.message : `init threw: ${textOf(err)}`;
    throw new RelxError("RELX_INIT_FAILED", `${p.label} failed to start: ${text}`, {
      cause: err,
      process: processName(p),
      hint: `fix ${server.name}.init or its start args`,
    });
  };
  const ok = (state: unknown): Process => {
    p.state = state;
    p.idle();
    return p;
  };
  let r: unknown;
  const previous = enter(p);
  try {
    r = server.init(args, p.ctx);
  } catch (err) {
    return fail(err);
  } finally {
    leave(previous);
  }
  if (!isThenable(r)) return ok(r);
  return withDeadline(Promise.resolve(r), options.initTimeoutMs).then(ok, fail);
}

class InitTimeout extends Error {}

/** `promise`, or a rejection once `ms` have passed without it settling. */
function withDeadline<T>(promise: Promise<T>, ms: number | undefined): Promise<T> {
  if (ms === undefined || !Number.isFinite(ms)) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new InitTimeout(`init did not return within ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}
