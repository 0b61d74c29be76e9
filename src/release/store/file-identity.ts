/**
 * Which file a path names, and which version of it: fs.stat's device, inode, size and change
 * times, to the nanosecond. A write to the file moves its mtime and ctime (ctime cannot be set
 * back by hand), replacing it (a rename, a rebuild) changes its inode: an equal identity is the
 * same bytes as when it was taken.
 */
import { stat } from "node:fs/promises";

export interface FileIdentity {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/** The identity of `file` now, or null when it cannot be stat'ed (missing, unreadable). */
export async function fileIdentity(file: string): Promise<FileIdentity | null> {
  try {
    const s = await stat(file, { bigint: true });
    return { dev: s.dev, ino: s.ino, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs };
  } catch {
    return null;
  }
}

export function sameFile(a: FileIdentity | null, b: FileIdentity | null): boolean {
  if (a === null || b === null) return false;
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}
