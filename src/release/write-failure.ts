/**
 * A file-system refusal to write (permissions, a read-only or full disk, an immutable file, a file
 * where releases/ should be) is the user's to fix, not a relx bug: asWriteFailure turns it into RELX_WRITE_FAILED naming the path,
 * the reason and what to do. Any other error passes through unchanged.
 */
import { RelxError } from "../errors.js";

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  // mkdir of releases/ (or a path below it) with a file in the way:
  EEXIST: "a file that is not a directory is in the way",
  ENOTDIR: "a file that is not a directory is in the way",
};

/**
 * `err` as RELX_WRITE_FAILED when it is a refusal to write; `dir` is the directory the user should
 * look at (releases/), `note` is appended to the message (e.g. "release 1.2.0 was not installed").
 */
export function asWriteFailure(err: unknown, dir: string, note?: string): unknown {
  if (err instanceof RelxError || !(err instanceof Error)) return err;
  const { code, path, dest } = err as NodeJS.ErrnoException & { dest?: string };
  if (code === undefined || !Object.hasOwn(REASONS, code)) return err;
  const where = dest ?? path ?? dir;
  return new RelxError("RELX_WRITE_FAILED", `cannot write ${where}: ${REASONS[code]} (${code})${note ? `; ${note}` : ""}`, {
    cause: err,
    hint: hintFor(code, dir),
  });
}

function hintFor(code: string, dir: string): string {
  if (code === "ENOSPC" || code === "EDQUOT") return `free some space on the disk holding ${dir}, then run the command again`;
  if (code === "EEXIST" || code === "ENOTDIR") return `move the file at ${dir} (or above it) away, or set "releasesDir" in relx.config.json`;
  const uid = process.getuid?.();
  return `make ${dir} writable${uid === undefined ? "" : ` by uid ${uid}`} (its owner, its mode, a read-only mount or chattr +i), then run the command again`;
}
