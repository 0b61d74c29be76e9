/**
 * An append-only file that rotates by size, as the daemon log does: past `maxBytes` the file is
 * renamed to `<file>.1` (`.1` to `.2`, …, the oldest of KEPT dropped) and a new one opened. Each
 * write is one whole entry, written synchronously, so an entry is never split across files and a
 * crash right after a write loses nothing. Rotation renames and reopens; it never copies and
 * truncates, so a reader holding the old file reads it to its end and nothing is lost in between.
 *
 *   open ──write (fits)──▶ open
 *   open ──write (past maxBytes)──▶ renames, opens a new file, writes there ──▶ open
 *   a rename or the new open fails ──▶ the entry goes to the file in hand (retried after another maxBytes)
 *   open ──close()──▶ closed (writes are dropped)
 */
import { closeSync, fstatSync, renameSync, writeSync } from "node:fs";
import { openNoFollow } from "../daemon-files.js";
import { dirname } from "node:path";

/** Rotated files kept besides the live one: daemon.log.1 … daemon.log.3. */
export const KEPT = 3;

/** `file` and its rotated copies, oldest first: [file.3, file.2, file.1, file]. */
export function rotationChain(file: string): string[] {
  const chain = [file];
  for (let i = 1; i <= KEPT; i++) chain.unshift(`${file}.${i}`);
  return chain;
}

export class RotatingFile {
  private fd: number | null;
  private size: number;

  /** Opens (creating it owner-only, never through a symbolic link) `file` for appending; its directory must exist. Throws RELX_UNSAFE_PATH or the fs error. */
  constructor(readonly file: string, public maxBytes: number) {
    this.fd = openNoFollow(file);
    this.size = fstatSync(this.fd).size;
  }

  /** Appends `text` (one whole entry); never throws (a full disk must not take the daemon down). */
  write(text: string): void {
    if (this.fd === null) return;
    const length = Buffer.byteLength(text, "utf8");
    if (this.size > 0 && this.size + length > this.maxBytes) this.rotate();
    try {
      const written = writeSync(this.fd, text);
      // A short write (a full disk, a signal) is finished from the bytes.
      if (written < length) {
        const bytes = Buffer.from(text, "utf8");
        for (let done = written; done < length;) done += writeSync(this.fd, bytes, done);
      }
      this.size += length;
    } catch {
      // Nothing sensible to do with a write error of the log itself.
    }
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }

  private rotate(): void {
    try {
      // Oldest first, so that each rename has a free name to go to (the oldest is replaced).
      const chain = rotationChain(this.file);
      for (let i = 1; i < chain.length; i++) renameIfPresent(chain[i]!, chain[i - 1]!);
      const fd = openNoFollow(this.file);
      closeSync(this.fd!);
      this.fd = fd;
      this.size = 0;
    } catch {
      // Keep writing where we are, and try again after another maxBytes: a log that grows is
      // better than a lost line.
      this.size = 0;
    }
  }
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}
