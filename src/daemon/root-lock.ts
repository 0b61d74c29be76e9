/**
 * One daemon per root, whatever socket each is started on: <root>/.relx/daemon.lock names the
 * daemon that owns the root, as JSON { pid, socket }. It is made whole before it appears (written
 * to a temp file, then hard-linked into place, which fails if the lock exists), so it is never
 * seen empty or half written.
 *
 * | the lock file                        | takeRootLock                                        |
 * |--------------------------------------|-----------------------------------------------------|
 * | absent                               | created: this daemon owns the root                  |
 * | names a live pid                     | RELX_DAEMON_RUNNING, naming that pid and its socket |
 * | names a dead pid or a zombie; garbage | stale: moved aside, then retried                   |
 *
 * A stale lock is renamed aside before it is removed, and removed only if what was moved is the
 * lock that was judged stale; if another starting daemon had replaced it meanwhile, it is put back.
 * The lock is released by the daemon it names, and only while it still names it.
 */
import { existsSync, readFileSync } from "node:fs";
import { link, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { RelxError } from "../errors.js";
import { createExclusive, isAlive } from "../release/store/file-lock.js";
import { runtimeDir } from "./daemon-files.js";

export interface RootLock {
  readonly file: string;
  /** Removes the lock if it still names this process. Never throws. */
  release(): Promise<void>;
}

interface Holder {
  pid: number;
  socket: string;
}

const ATTEMPTS = 5;

export function rootLockFile(root: string): string {
  return join(runtimeDir(root), "daemon.lock");
}

/** Takes the root's lock for this process. Throws RELX_DAEMON_RUNNING when a live daemon holds it. */
export async function takeRootLock(root: string, socket: string): Promise<RootLock> {
  const file = rootLockFile(root);
  const mine = JSON.stringify({ pid: process.pid, socket } satisfies Holder);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await createExclusive(file, mine, 0o600)) return { file, release: () => release(file, mine) };
    const text = await readFile(file, "utf8").catch(() => null);
    if (text === null) continue; // released meanwhile
    const holder = parseHolder(text);
    if (holder !== null && isRunning(holder.pid)) throw daemonRunning(root, file, holder);
    await removeStale(file, text);
  }
  throw new RelxError("RELX_BUSY", `${file} kept changing while this daemon tried to take it: other daemons are starting for ${root}`, {
    hint: "see which one runs with `relx status`, then start again only if none does",
  });
}

/** Moves the stale lock aside; puts it back if it turned out to be a newer one. */
async function removeStale(file: string, staleText: string): Promise<void> {
  const aside = `${file}.stale-${process.pid}`;
  try {
    await rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  const moved = await readFile(aside, "utf8").catch(() => staleText);
  if (moved !== staleText) await link(aside, file).catch(() => undefined);
  await rm(aside, { force: true });
}

async function release(file: string, mine: string): Promise<void> {
  const text = await readFile(file, "utf8").catch(() => null);
  if (text === mine) await rm(file, { force: true }).catch(() => undefined);
}

function parseHolder(text: string): Holder | null {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (Number.isInteger(value.pid) && (value.pid as number) > 0 && typeof value.socket === "string") return value as Holder;
  } catch {
    // Not a lock this relx wrote: stale.
  }
  return null;
}

/** isAlive, except that a zombie (killed, not yet reaped: it holds no socket) counts as dead. */
function isRunning(pid: number): boolean {
  // Our own pid in the lock is a dead daemon's, reused.
  if (pid === process.pid || !isAlive(pid)) return false;
  try {
    // "pid (comm) S …": the state is the first field after the command's closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return !existsSync("/proc/self/stat"); // gone meanwhile; or no /proc (not Linux): trust kill(pid, 0)
  }
}

function daemonRunning(root: string, file: string, holder: Holder): RelxError {
  return new RelxError("RELX_DAEMON_RUNNING", `a daemon (pid ${holder.pid}) already runs for ${root}, on ${holder.socket}`, {
    hint: `see it with \`relx status --socket ${holder.socket}\`, or stop it with \`relx stop --socket ${holder.socket}\` first; if pid ${holder.pid} is not a relx daemon, remove ${file}`,
  });
}
