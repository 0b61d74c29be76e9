/**
 * NDJSON lines read straight into one growing buffer, for a client that reads answers of
 * megabytes (an upgrade's result at 100,000 processes is 6.8 MB on one line).
 *
 * With `data` events, each read of a socket comes in a new 64 KB chunk, which the line splitter
 * copies, and a long line is joined from those copies at its end: two copies of every byte, and
 * more than a hundred reads for one answer. Here the socket reads into the free part of the
 * reader's own buffer (net's `onread` with a buffer function: `onread()`), at least MIN_READ
 * bytes at a time, so one read takes what the kernel holds; a full buffer is replaced by a new one
 * (room), with only the line in progress copied over. A line is handed on as a view of that
 * buffer, never copied: bytes once read are never written again, so a view stays valid for as
 * long as it is kept.
 *
 * Lines are cut on the byte 0x0A, never decoded here; a line's trailing "\r" is the caller's.
 * No length limit: it reads what the daemon it asked sends.
 */
import type { OnReadOpts } from "node:net";

/** The least room a read is given: more than a Unix socket's kernel buffer holds (208 KB by default). */
const MIN_READ = 256 * 1024;
const INITIAL = 1024 * 1024;
const NEWLINE = 0x0a;

export class LineReader {
  private buffer = Buffer.allocUnsafe(INITIAL);
  /** Bytes read into `buffer`. */
  private used = 0;
  /** Where the line in progress begins. */
  private lineStart = 0;

  /** `onLine` gets each line without its newline, as a view of the reader's buffer. */
  constructor(private readonly onLine: (line: Buffer) => void) {}

  /** The options for net.createConnection's `onread`. */
  onread(): OnReadOpts {
    return {
      buffer: () => this.room(),
      callback: (bytes: number) => {
        this.filled(bytes);
        return true;
      },
    };
  }

  /**
   * Where the next read goes: the free end of the buffer, MIN_READ bytes or more. A full buffer
   * is replaced (views of it may be held), by one twice the size of the line in progress or of
   * INITIAL, whichever is more: a long line grows it by doubling, short lines never do.
   */
  room(): Buffer {
    if (this.buffer.length - this.used < MIN_READ) {
      const kept = this.used - this.lineStart;
      const bigger = Buffer.allocUnsafe(Math.max(INITIAL, 2 * kept + MIN_READ));
      this.buffer.copy(bigger, 0, this.lineStart, this.used);
      this.buffer = bigger;
      this.lineStart = 0;
      this.used = kept;
    }
    return this.buffer.subarray(this.used);
  }

  /** The last read put `bytes` bytes at the start of room(). */
  filled(bytes: number): void {
    let from = this.used;
    this.used += bytes;
    for (;;) {
      const nl = this.buffer.subarray(from, this.used).indexOf(NEWLINE);
      if (nl === -1) return;
      const end = from + nl;
      const line = this.buffer.subarray(this.lineStart, end);
      this.lineStart = from = end + 1;
      this.onLine(line);
    }
  }
}
