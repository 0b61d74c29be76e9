/**
 * withFileLock: a lock file next to the data it guards, so that a build and the daemon never
 * interleave a read-modify-write of releases/RELEASES. Held: `<file>.lock` exists (created with
 * O_EXCL) and holds its owner's pid. A lock whose owner is dead (a daemon killed with SIGKILL while
 * writing), or older than STALE_MS, is taken over.
 */
import { open, readFile, rm, stat } from "node:fs/promises";
import { RelxError } from "../errors.js";

const RETRY_MS = 5;
const WAIT_MS = 5_000;
const STALE_MS = 30_000;

/** Runs `fn` holding the lock on `file`. Throws RELX_BUSY when another holder keeps it past WAIT_MS. */
export async function withFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  await acquire(lock);
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

async function acquire(lock: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lock, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
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

async function isStale(lock: string): Promise<boolean> {
  try {
    const pid = Number(await readFile(lock, "utf8"));
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) return true;
    return Date.now() - (await stat(lock)).mtimeMs > STALE_MS;
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
