/** Small file-system helpers shared by the release code: hashing, atomic writes, existence. */
import { createHash, randomBytes } from "node:crypto";
import { open, readFile, rm, stat } from "node:fs/promises";
import { renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

export async function sha256File(file: string): Promise<string> {
  return sha256(await readFile(file));
}

export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export function randomSuffix(): string {
  return randomBytes(4).toString("hex");
}

/** Byte-order comparison of two strings, so that sorted lists are the same on every platform. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Replaces `file` with `data` so that a reader sees either the old or the new contents, never a
 * torn write, even after a crash: write a temp file beside it, fsync, rename, fsync the directory.
 */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const staged = await stageFile(file, data);
  await staged.commit();
  await staged.sync();
}

/** A file written and fsynced beside its destination, not yet in place. */
export interface StagedFile {
  /**
   * Renames it into place: atomic, and enough to survive the writer being killed. Synchronous (one
   * rename(2), no turn of the event loop), so an upgrade can commit inside its pause.
   */
  commit(): void;
  /** fsyncs the directory after commit, so the rename also survives a power loss. */
  sync(): Promise<void>;
  /** Removes it; the destination stays as it was. */
  abort(): Promise<void>;
}

/** The slow half of writeFileAtomic (write + fsync), so a caller can commit later in one rename. */
export async function stageFile(file: string, data: string): Promise<StagedFile> {
  const temp = `${file}.tmp-${process.pid}-${randomSuffix()}`;
  const abort = () => rm(temp, { force: true });
  try {
    const handle = await open(temp, "w", 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    await abort();
    throw err;
  }
  const commit = (): void => {
    try {
      renameSync(temp, file);
    } catch (err) {
      rmSync(temp, { force: true });
      throw err;
    }
  };
  return { commit, abort, sync: () => syncDir(dirname(file)) };
}

/** fsyncs a directory (so a rename in it is durable); never throws: the rename is atomic anyway. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic there.
  }
}
