/**
 * takeFileLock: a lock file next to the data it guards, so that a build and the daemon never
 * interleave a read-modify-write of releases/RELEASES. Held: `<file>.lock` exists and holds its
 * owner's pid. It is made whole before it appears (written to a temp file, then hard-linked into
 * place, which fails if the lock exists), so it is never seen empty.
 *
 * | the lock file holds         | it is                                   |
 * |-----------------------------|-----------------------------------------|
 * | a live pid                  | held: wait up to waitMs(), then RELX_BUSY |
 * | a dead pid (SIGKILL)        | stale: taken over at once               |
 * | nothing (an older relx)     | stale once older than EMPTY_GRACE_MS    |
 * | anything, older than STALE_MS | stale                                 |
 *
 * The wait for a live holder is 5 s; RELX_LOCK_WAIT_MS (read at every take) changes it, so tests of
 * a held lock need not wait 5 real seconds. The daemon inherits it from `relx start`.
 */
import { link, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RelxError } from "../../errors.js";
import { randomSuffix } from "../fs-util.js";

const RETRY_MS = 5;
const DEFAULT_WAIT_MS = 5_000;
const STALE_MS = 30_000;
const EMPTY_GRACE_MS = 1_000;

/** Takes the lock on `file`; resolves to the function that gives it back. Throws RELX_BUSY when another holder keeps it past waitMs(). */
export async function takeFileLock(file: string): Promise<() => Promise<void>> {
  const lock = `${file}.lock`;
  await acquire(lock);
  return () => rm(lock, { force: true });
}

async function acquire(lock: string): Promise<void> {
  const deadline = Date.now() + waitMs();
  for (;;) {
    if (await createExclusive(lock, String(process.pid))) return;
    if (await isStale(lock)) {
      await rm(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new RelxError("RELX_BUSY", `${lock} is held by another relx process`, {
        hint: `retry; if no relx process is running, remove ${lock}`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

/** How long to wait for a live holder: RELX_LOCK_WAIT_MS when it is a whole number of ms, else 5 s. */
function waitMs(): number {
  const raw = process.env.RELX_LOCK_WAIT_MS;
  const ms = raw === undefined || raw.trim() === "" ? NaN : Number(raw);
  return Number.isInteger(ms) && ms >= 0 ? ms : DEFAULT_WAIT_MS;
}

/**
 * Creates `lock` holding `content`, atomically and only if it does not exist (written beside it,
 * then hard-linked into place): true when this call created it, false when it was already there.
 */
export async function createExclusive(lock: string, content: string, mode = 0o666): Promise<boolean> {
  const temp = `${lock}.tmp-${process.pid}-${randomSuffix()}`;
  await writeFile(temp, content, { mode });
  try {
    await link(temp, lock);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    await rm(temp, { force: true });
  }
}

async function isStale(lock: string): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(lock, "utf8"), stat(lock)]);
    const age = Date.now() - info.mtimeMs;
    if (text === "") return age > EMPTY_GRACE_MS;
    const pid = Number(text);
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) return true;
    return age > STALE_MS;
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes `<name>.tmp-<pid>-…` files in `dir` whose writer died before renaming them. */
export async function removeDeadTemps(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const m = /\.tmp-(\d+)-[^/]+$/.exec(name);
    if (m && !isAlive(Number(m[1]))) await rm(join(dir, name), { force: true });
  }
}
