/**
 * What user code prints inside the daemon (console.*, process.stdout/stderr.write) becomes log
 * entries, each stamped with the process whose code printed it (runtime/attribution.ts, through
 * host.ts). One write is one entry: console.log("a\nb") is one entry of two lines, and a write
 * without a trailing newline ends its entry all the same.
 *
 *   captureOutput() ──▶ capturing ──restore()──▶ the streams' own write methods are back
 */
import * as host from "../../runtime/host.js";

export type Print = (process: string | undefined, message: string) => void;

/** Replaces process.stdout.write and process.stderr.write; returns the function that puts them back. */
export function captureOutput(print: Print): () => void {
  const restores = [capture(process.stdout, print), capture(process.stderr, print)];
  return () => restores.forEach((restore) => restore());
}

type WriteCallback = (err?: Error | null) => void;

function capture(stream: NodeJS.WriteStream, print: Print): () => void {
  const own = Object.prototype.hasOwnProperty.call(stream, "write");
  const original = stream.write;
  const write = (chunk: unknown, encoding?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean => {
    const done = typeof encoding === "function" ? encoding : callback;
    const text = textOf(chunk, typeof encoding === "string" ? encoding : undefined);
    if (text !== "") print(processLabel(), text.endsWith("\n") ? text.slice(0, text.endsWith("\r\n") ? -2 : -1) : text);
    if (done !== undefined) later(done);
    return true;
  };
  stream.write = write as typeof stream.write;
  return () => {
    if (own) stream.write = original;
    else delete (stream as { write?: unknown }).write;
  };
}

/** Write callbacks run after the write returns, as a stream's do; one tick for all of a burst's (console.log passes one per line). */
let callbacks: WriteCallback[] = [];

function later(callback: WriteCallback): void {
  if (callbacks.push(callback) === 1) process.nextTick(runCallbacks);
}

function runCallbacks(): void {
  const now = callbacks;
  callbacks = [];
  for (const callback of now) {
    try {
      callback(null);
    } catch (err) {
      // As a stream's callback would: an uncaught exception, after the others have run.
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

function textOf(chunk: unknown, encoding: BufferEncoding | undefined): string {
  if (typeof chunk === "string") {
    return encoding === undefined || encoding === "utf8" || encoding === "utf-8" ? chunk : Buffer.from(chunk, encoding).toString("utf8");
  }
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("utf8");
  return String(chunk);
}

/** "web <0.1.0>" for a named process, "<0.7.0>" for an unnamed one; undefined when relx cannot tell. */
function processLabel(): string | undefined {
  const who = host.currentProcess();
  if (who === undefined) return undefined;
  return who.name === null ? String(who.pid) : `${who.name} ${who.pid}`;
}
