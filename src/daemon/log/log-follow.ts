/**
 * `relx logs -f`: follows the daemon log across rotations. It holds the file it reads open; the
 * writer renames that file away (daemon.log → daemon.log.1) and opens a new one, so the follower
 * reads the old one to its end, then finds the file that came after it by inode (daemon.log.2's
 * successor is .1, .1's is daemon.log), so several rotations between two polls lose nothing.
 *
 *   reading ──no new bytes──▶ the held entry is complete: emitted; rotated away? ──▶ next file
 *   waiting (no log yet) ──the file appears──▶ reading from its start
 *   any ──stop()──▶ stopped (the held entry emitted, the file closed)
 */
import { open, stat, type FileHandle } from "node:fs/promises";
import { startsEntry } from "./log-format.js";
import type { TailEnd } from "./log-tail.js";
import { rotationChain } from "./rotating-file.js";

const POLL_MS = 100;
const CHUNK = 64 * 1024;

export interface FollowOptions {
  /** The live log file (daemon.log). */
  file: string;
  /** Where a tail left off (its handle is taken over), or null to start at the file's beginning. */
  from: TailEnd | null;
  /** Each entry, as its lines, once it is complete. */
  onEntry(lines: string[]): void;
}

export interface Follower {
  stop(): Promise<void>;
}

export function followLog(options: FollowOptions): Follower {
  const { file, onEntry } = options;
  let current: TailEnd | null = options.from;
  let rest: Buffer = Buffer.alloc(0);
  let held: string[] | null = null;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let polling: Promise<void> = Promise.resolve();

  const emitHeld = (): void => {
    if (held !== null) onEntry(held);
    held = null;
  };
  const feed = (line: string): void => {
    if (held === null || startsEntry(line)) {
      emitHeld();
      held = [line];
    } else held.push(line);
  };
  const take = (bytes: Buffer): void => {
    const all = rest.length === 0 ? bytes : Buffer.concat([rest, bytes]);
    const last = all.lastIndexOf(0x0a);
    rest = all.subarray(last + 1);
    if (last >= 0) all.subarray(0, last).toString("utf8").split("\n").forEach(feed);
  };
  /** Reads `current` to its end; true when there was something new. */
  const readNew = async (at: TailEnd): Promise<boolean> => {
    const { size } = await at.handle.stat();
    if (size < at.offset) at.offset = 0; // truncated behind our back: start over
    let grew = false;
    while (at.offset < size) {
      const chunk = Buffer.alloc(Math.min(CHUNK, size - at.offset));
      const { bytesRead } = await at.handle.read(chunk, 0, chunk.length, at.offset);
      if (bytesRead === 0) break;
      at.offset += bytesRead;
      take(chunk.subarray(0, bytesRead));
      grew = true;
    }
    return grew;
  };
  const finishFile = async (at: TailEnd): Promise<void> => {
    await readNew(at);
    if (rest.length > 0) feed(rest.toString("utf8"));
    rest = Buffer.alloc(0);
    emitHeld();
    await at.handle.close();
  };
  const poll = async (): Promise<void> => {
    if (current === null) {
      current = await openAt(file);
      if (current === null) return;
    }
    if (await readNew(current)) return;
    emitHeld();
    const next = await openSuccessor(file, current.ino);
    if (next === null) return;
    await finishFile(current);
    current = next;
    await readNew(current);
  };
  const loop = (): void => {
    if (stopped) return;
    polling = poll().catch(() => undefined).then(() => {
      if (!stopped) timer = setTimeout(loop, POLL_MS);
    });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await polling;
      if (current !== null) await finishFile(current).catch(() => undefined);
      current = null;
    },
  };
}

async function openAt(path: string): Promise<TailEnd | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch {
    return null;
  }
  const { ino } = await handle.stat();
  return { handle, ino, offset: 0 };
}

/**
 * The file written after the one with inode `ino`, opened, once that one has been rotated away;
 * null while it is still the live file (or a rotation is under way: the next poll looks again).
 * Rotation only ever moves a file to an older name, so the chain is searched newest first, and the
 * successor counts only if `ino` is still where it was found once the successor is open.
 */
async function openSuccessor(file: string, ino: number): Promise<TailEnd | null> {
  const chain = rotationChain(file);
  let at = -1;
  for (let i = chain.length - 1; i >= 0 && at === -1; i--) if ((await inodeOf(chain[i]!)) === ino) at = i;
  if (at === chain.length - 1) return null;
  if (at === -1) {
    // Rotated out altogether while we were far behind: the oldest file left comes next.
    for (const path of chain) {
      const opened = await openAt(path);
      if (opened !== null) return opened;
    }
    return null;
  }
  const next = await openAt(chain[at + 1]!);
  if (next === null) return null;
  if ((await inodeOf(chain[at]!)) === ino) return next;
  await next.handle.close();
  return null;
}

async function inodeOf(path: string): Promise<number | null> {
  return stat(path).then((s) => s.ino, () => null);
}
