/**
 * The registry: pid id → process, registered name → process. Every delivery resolves its
 * destination here, so a pid or a name is only ever data.
 *
 * Pid ids are handed out in order and never reused, so processes are kept by id in chunks of
 * CHUNK consecutive ids, an array each, in a small Map by chunk number (391 chunks for 100,000
 * processes). A lookup is the chunk (the last one is kept: a walk in start order reads the Map
 * once in 256) and an array read, where one Map of 100,000 entries was a hash and a probe far out
 * in memory (measured: 300,000 lookups, one for each of sys.suspend, changeCode and resume on
 * 100,000 processes, took a third of that whole run). A chunk is dropped when its last process
 * ends, so memory follows the live processes, not every pid ever handed out (a node that spawns
 * a process per connection for months hands out billions).
 */
import { RelxError } from "../errors.js";
import { Pid } from "./pid.js";
import type { Dest } from "./types.js";
import type { Process } from "./process.js";

const CHUNK = 256;
interface Chunk {
  procs: (Process | undefined)[];
  live: number;
}
/** Chunk k holds the processes with ids k * CHUNK to k * CHUNK + CHUNK - 1; gone once all of them ended. */
const chunks = new Map<number, Chunk>();
let count = 0;
const byName = new Map<string, Process>();
let nextId = 1;

/** The chunk last looked up: a walk over many processes in start order stays in one for 256 of them. */
let lastK = -1;
let lastChunk: Chunk | undefined;

function byId(id: number): Process | undefined {
  const k = Math.floor(id / CHUNK);
  if (k !== lastK) {
    lastK = k;
    lastChunk = chunks.get(k);
  }
  return lastChunk === undefined ? undefined : lastChunk.procs[id - k * CHUNK];
}

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
  const id = p.pid.id;
  const k = Math.floor(id / CHUNK);
  let chunk = chunks.get(k);
  if (chunk === undefined) {
    chunks.set(k, (chunk = { procs: new Array<Process | undefined>(CHUNK).fill(undefined), live: 0 }));
    if (k === lastK) lastChunk = chunk;
  }
  if (chunk.procs[id - k * CHUNK] === undefined) {
    chunk.live++;
    count++;
  }
  chunk.procs[id - k * CHUNK] = p;
}

export function unregister(p: Process): void {
  const id = p.pid.id;
  const k = Math.floor(id / CHUNK);
  const chunk = chunks.get(k);
  if (chunk !== undefined && chunk.procs[id - k * CHUNK] === p) {
    chunk.procs[id - k * CHUNK] = undefined;
    count--;
    if (--chunk.live === 0) {
      chunks.delete(k);
      if (k === lastK) lastChunk = undefined;
    }
  }
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
  if (dest instanceof Pid) return byId(dest.id);
  return undefined;
}

function lookupPidText(text: string): Process | undefined {
  if (text.charCodeAt(0) !== 60 /* < */) return undefined;
  const pid = Pid.parse(text);
  return pid ? byId(pid.id) : undefined;
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

/** Every live process in start order, or with `sinceId` only those started after that pid id. */
export function processes(sinceId = 0): Process[] {
  return mapProcesses(sinceId, (p) => p);
}

/** `make` of every live process in start order (after `sinceId`), in one walk of the chunks. */
export function mapProcesses<T>(sinceId: number, make: (p: Process) => T): T[] {
  const out: T[] = [];
  forEachProcess(sinceId, (p) => void out.push(make(p)));
  return out;
}

/** `visit` of every live process in start order (after `sinceId`), in one walk of the chunks. */
export function forEachProcess(sinceId: number, visit: (p: Process) => void): void {
  const from = sinceId + 1;
  const first = Math.floor(from / CHUNK);
  // The Map holds the chunks in chunk order: a process is registered as its pid is handed out
  // (spawn.ts), so a chunk is made (or made again, once dropped) only while its ids are being
  // handed out, when no later chunk exists yet.
  for (const [k, { procs }] of chunks) {
    if (k < first) continue;
    for (let i = k * CHUNK < from ? from - k * CHUNK : 0; i < CHUNK; i++) {
      const p = procs[i];
      if (p !== undefined) visit(p);
    }
  }
}

export function nameTakenError(name: string): RelxError {
  return new RelxError("RELX_NAME_TAKEN", `the name "${name}" is already registered to a running process`, {
    hint: "choose another name, or stop the process that holds it",
  });
}

/** How many processes are alive. */
export function processCount(): number {
  return count;
}

/** How many chunks are kept (for the tests: ended processes leave none behind). */
export function chunkCount(): number {
  return chunks.size;
}
