/**
 * NDJSON framing: turns a stream of Buffer chunks into lines, however the chunks fall.
 *
 * Lines are cut on the byte 0x0A before decoding, so a multi-byte UTF-8 character split across
 * chunks is reassembled (0x0A never occurs inside one). A line longer than `maxBytes` is reported
 * once through `onTooLong` and the rest of it is skipped up to the next newline.
 *
 *   state       on a chunk without "\n"                on "\n"
 *   collecting  keep it; past maxBytes → discarding    emit the line (or onTooLong if too long)
 *   discarding  drop it                                drop, back to collecting
 */

export const MAX_LINE_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

export interface LineSplitterOptions {
  onLine(line: string): void;
  onTooLong(): void;
  /** Bytes per line, the newline excluded. Default 1 MiB; Infinity for no limit. */
  maxBytes?: number;
}

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;
  private readonly maxBytes: number;

  constructor(private readonly options: LineSplitterOptions) {
    this.maxBytes = options.maxBytes ?? MAX_LINE_BYTES;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      this.finishLine(chunk, start, nl);
      start = nl + 1;
    }
  }

  /** The end of the stream: a last line without a newline still counts. */
  end(): void {
    if (this.pendingBytes > 0 && !this.discarding) this.finishLine(Buffer.alloc(0), 0, 0);
    this.reset();
  }

  private keep(piece: Buffer): void {
    if (this.discarding) return;
    if (this.pendingBytes + piece.length > this.maxBytes) {
      this.reset();
      this.discarding = true;
      this.options.onTooLong();
      return;
    }
    // Copy: the caller may reuse the chunk's memory once push returns.
    this.pending.push(Buffer.from(piece));
    this.pendingBytes += piece.length;
  }

  private finishLine(chunk: Buffer, start: number, end: number): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    const length = this.pendingBytes + (end - start);
    if (length > this.maxBytes) {
      this.reset();
      this.options.onTooLong();
      return;
    }
    let line: string;
    if (this.pendingBytes === 0) {
      line = chunk.toString("utf8", start, end);
    } else {
      line = Buffer.concat([...this.pending, chunk.subarray(start, end)], length).toString("utf8");
      this.reset();
    }
    this.options.onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  }

  private reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }
}
