// NDJSON framing: lines come out whole however the bytes are chunked; over-long lines are skipped.
import { describe, expect, it } from "vitest";
import { LineSplitter, MAX_LINE_BYTES } from "../../src/protocol/line-splitter.js";

function split(chunks: Buffer[], maxBytes?: number): { lines: string[]; tooLong: number } {
  const out = { lines: [] as string[], tooLong: 0 };
  const splitter = new LineSplitter({
    onLine: (line) => out.lines.push(line),
    onTooLong: () => out.tooLong++,
    ...(maxBytes === undefined ? {} : { maxBytes }),
  });
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return out;
}

/** `bytes` cut into pieces of `size`. */
function chunked(bytes: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
  return pieces;
}

describe("LineSplitter", () => {
  it("yields the same lines for every chunk size, one byte included", () => {
    const text = '{"id":1,"op":"ping"}\n{"id":2,"op":"status"}\n\n{"id":3}\n';
    for (const size of [1, 2, 3, 7, 20, 21, 64]) {
      expect(split(chunked(Buffer.from(text), size)).lines).toEqual(['{"id":1,"op":"ping"}', '{"id":2,"op":"status"}', "", '{"id":3}']);
    }
  });

  it("reassembles multi-byte UTF-8 characters split at every byte offset", () => {
    const line = '{"msg":"Grüße, 世界 🎉 — ok"}';
    const bytes = Buffer.from(line + "\n");
    for (let cut = 1; cut < bytes.length; cut++) {
      const { lines } = split([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(lines).toEqual([line]);
    }
  });

  it("accepts CRLF line ends and a last line without a newline", () => {
    expect(split([Buffer.from("a\r\nb")]).lines).toEqual(["a", "b"]);
  });

  it("reports a 2 MiB line once, skips the rest of it and goes on with the next line", () => {
    const big = Buffer.alloc(2 * 1024 * 1024, "x");
    const chunks = [Buffer.from("first\n"), ...chunked(big, 65536), Buffer.from("\nnext\n")];
    expect(split(chunks)).toEqual({ lines: ["first", "next"], tooLong: 1 });
  });

  it("reports an over-long line that arrives in one chunk with its newline", () => {
    const chunk = Buffer.concat([Buffer.alloc(MAX_LINE_BYTES + 1, "y"), Buffer.from("\nok\n")]);
    expect(split([chunk])).toEqual({ lines: ["ok"], tooLong: 1 });
  });

  it("lets a line of exactly the limit through", () => {
    const { lines, tooLong } = split(chunked(Buffer.from("z".repeat(100) + "\n"), 30), 100);
    expect(tooLong).toBe(0);
    expect(lines[0]).toHaveLength(100);
  });

  it("passes garbage bytes through as text without throwing", () => {
    const garbage = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x0a, 0x80, 0x0a]);
    expect(split([garbage]).lines).toEqual(["\ufffd\ufffd\u0000\ufffd", "\ufffd"]);
  });
});
