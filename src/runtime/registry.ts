/**
 * The registry: pid id → process, registered name → process. Every delivery resolves its
 * destination here, so a pid or a name is only ever data.
 */
import { RelxError } from "../errors.js";
import { Pid } from "./pid.js";
import type { Dest } from "./types.js";
import type { Process } from "./process.js";

const byId = new Map<number, Process>();
const byName = new Map<string, Process>();
let nextId = 1;

export function allocatePid(): Pid {
  return new Pid(nextId++);
}

/** The id of the newest pid handed out: processes with a higher id were started after this call. */
export function lastPidId(): number {
  return nextId - 1;
}

export function register(p: Process): void {
  if (p.name !== null) {
    if (byName.has(p.name)) throw nameTakenError(p.name);
    byName.set(p.name, p);
  }
  byId.set(p.pid.id, p);
}

export function unregister(p: Process): void {
  if (byId.get(p.pid.id) === p) byId.delete(p.pid.id);
  if (p.name !== null && byName.get(p.name) === p) byName.delete(p.name);
}

/** Frees `p`'s registered name while it is suspended, so a replacement can take it (upgrades). */
export function releaseName(p: Process): void {
  if (p.name !== null && byName.get(p.name) === p) byName.delete(p.name);
}

/** Gives `p` its name back after releaseName (a rolled-back upgrade). */
export function reclaimName(p: Process): void {
  if (p.name !== null && p.alive) byName.set(p.name, p);
}

export function isNameTaken(name: string): boolean {
  return byName.has(name);
}

/** The live process behind `dest`, or undefined. */
export function lookup(dest: Dest): Process | undefined {
  if (typeof dest === "string") return byName.get(dest) ?? lookupPidText(dest);
  if (dest instanceof Pid) return byId.get(dest.id);
  return undefined;
}

function lookupPidText(text: string): Process | undefined {
  if (text.charCodeAt(0) !== 60 /* < */) return undefined;
  const pid = Pid.parse(text);
  return pid ? byId.get(pid.id) : undefined;
}

/** Like lookup, but throws RELX_NO_SUCH_PROCESS naming the destination. */
export function resolve(dest: Dest): Process {
  const p = lookup(dest);
  if (p) return p;
  if (typeof dest !== "string" && !(dest instanceof Pid)) {
    throw new RelxError("RELX_BAD_ARGUMENT", `expected a pid or a process name, got ${typeof dest}`);
  }
  throw new RelxError("RELX_NO_SUCH_PROCESS", `no process ${String(dest)} is running`, {
    hint: "see the running processes with `relx status`",
  });
}

/** Every live process, in start order. */
export function processes(): IterableIterator<Process> {
  return byId.values();
}

export function processCount(): number {
  return byId.size;
}

export function nameTakenError(name: string): RelxError {
  return new RelxError("RELX_NAME_TAKEN", `the name "${name}" is already registered to a running process`, {
    hint: "choose another name, or stop the process that holds it",
  });
}
