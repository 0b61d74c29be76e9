/**
 * The last entries of the daemon log, read from the end of daemon.log and, when it holds fewer,
 * of daemon.log.1 … .3 before it. Needs no daemon: it only reads files.
 */
import { open, type FileHandle } from "node:fs/promises";
import { groupEntries, startsEntry } from "./log-format.js";
import { rotationChain } from "./rotating-file.js";

const CHUNK = 64 * 1024;

/** Where the live file was read to: a follower goes on from there (same inode, same offset). */
export interface TailEnd {
  handle: FileHandle;
  ino: number;
  offset: number;
}

export interface Tail {
  /** The last `count` entries, oldest first, each as its lines. */
  entries: string[][];
  /** The live file, open, and how far it was read (null: there is no live file). */
  end: TailEnd | null;
}

/**
 * The last `count` entries across `file` and its rotated copies. With `keepOpen`, the live file's
 * handle is returned in `end` for a follower (the caller closes it); otherwise it is closed.
 */
export async function tailEntries(file: string, count: number, keepOpen: boolean): Promise<Tail> {
  const chain = rotationChain(file).reverse();
  let entries: string[][] = [];
  let end: TailEnd | null = null;
  for (const [i, path] of chain.entries()) {
    if (entries.length >= count && i > 0) break;
    const handle = await open(path, "r").catch(() => null);
    if (handle === null) continue;
    try {
      const { size, ino } = await handle.stat();
      const older = await lastEntriesOf(handle, size, count - entries.length);
      entries = [...older, ...entries];
      if (i === 0 && keepOpen) end = { handle, ino, offset: size };
    } finally {
      if (end?.handle !== handle) await handle.close();
    }
  }
  return { entries, end };
}

/** The last `count` entries of the first `size` bytes of an open file. */
async function lastEntriesOf(handle: FileHandle, size: number, count: number): Promise<string[][]> {
  if (count <= 0) return [];
  let start = size;
  let buffer = Buffer.alloc(0);
  for (;;) {
    const length = Math.min(CHUNK, start);
    start -= length;
    const chunk = Buffer.alloc(length);
    await handle.read(chunk, 0, length, start);
    buffer = Buffer.concat([chunk, buffer]);
    const lines = splitLines(buffer.toString("utf8"));
    // Before the start of the file, the first line read may be the tail of a longer one.
    if (start > 0) lines.shift();
    const starts = lines.filter(startsEntry).length;
    if (start === 0 || starts >= count) {
      const from = start === 0 ? 0 : lines.findIndex(startsEntry);
      return groupEntries(lines.slice(from)).slice(-count);
    }
  }
}

/** Lines of `text`, without the empty one after a final newline. */
export function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}
