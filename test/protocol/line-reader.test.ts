// The client's reader: lines come out whole however the reads fall, across the buffer's growth,
// and each line handed on (a view of the reader's buffer) keeps its bytes for as long as it is kept.
import { describe, expect, it } from "vitest";
import { LineReader } from "../../src/protocol/line-reader.js";

/** Feeds `bytes` to a reader as net's onread would, `sizes` giving each read's length in turn (cycled, each at most the room). */
function read(bytes: Buffer, sizes: number[]): Buffer[] {
  const lines: Buffer[] = [];
  const reader = new LineReader((line) => lines.push(line));
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const room = reader.room();
    const n = Math.min(room.length, bytes.length - at, sizes[i % sizes.length]!);
    bytes.copy(room, 0, at, at + n);
    at += n;
    reader.filled(n);
  }
  return lines;
}

describe("LineReader", () => {
  it("yields the same lines for every read size, several lines in one read, empty lines and a trailing \\r kept", () => {
    const text = '{"id":1,"ok":true}\n\n{"id":2}\r\nlast';
    for (const size of [1, 2, 3, 7, 19, 20, 64]) {
      expect(read(Buffer.from(text), [size]).map(String)).toEqual(['{"id":1,"ok":true}', "", '{"id":2}\r']);
    }
  });

  it("keeps every line handed on intact while the buffer grows under later ones, a line cut at each growth included", () => {
    // Lines of 0 to 3 MB, read in pieces of 1 byte to the whole room: the 1 MB buffer grows several
    // times, some lines begin before a growth and end after it, and each line is checked only at the end.
    const sent: Buffer[] = [];
    for (let i = 0; i < 40; i++) sent.push(Buffer.alloc(i % 7 === 3 ? 700_000 * (i % 5) : i, 0x41 + (i % 26)));
    for (const sizes of [[Infinity], [1_000_003, 1, 77], [262_144, 5], [3_000_000]]) {
      const lines = read(Buffer.concat(sent.flatMap((line) => [line, Buffer.from("\n")])), sizes);
      expect(lines.length).toBe(sent.length);
      lines.forEach((line, i) => expect(line.equals(sent[i]!), `line ${i}, reads of ${sizes.join(", ")}`).toBe(true));
    }
  });

  it("does not grow for a stream of short lines: 20 MB of them in reads of 300 KB, the room never past 1 MB", () => {
    let lines = 0;
    const reader = new LineReader(() => lines++);
    const piece = Buffer.from(`${"x".repeat(99)}\n`.repeat(3000)); // 300 KB of 100-byte lines
    for (let i = 0; i < 70; i++) {
      const room = reader.room();
      expect(room.length).toBeLessThanOrEqual(1024 * 1024);
      const n = Math.min(room.length, piece.length);
      piece.copy(room, 0, 0, n);
      reader.filled(n);
    }
    expect(lines).toBeGreaterThan(200_000);
  });

  it("gives each read the room of a whole kernel buffer (256 KB or more)", () => {
    const reader = new LineReader(() => undefined);
    for (let i = 0; i < 50; i++) {
      const room = reader.room();
      expect(room.length).toBeGreaterThanOrEqual(256 * 1024);
      room.fill(0x61, 0, 100_000);
      reader.filled(100_000);
    }
  });
});
