/**
 * A session client: one NDJSON stream (a socket, or an ssh child's stdin/stdout), many requests,
 * pipelined and matched by id. The fleet coordinator holds one per host for a whole run, so a
 * two-phase upgrade's prepare and commit travel on the same daemon connection.
 *
 *   state    on send                      on the stream's end
 *   open     write, wait for its answer   → closed: every pending request fails
 *   closed   fails at once                 —
 */
import type { Readable, Writable } from "node:stream";
import { RelxError } from "../errors.js";
import { LineSplitter } from "../protocol/line-splitter.js";
import type { Response } from "../protocol/types.js";

/** A request as the session sends it: any op, daemon's or bridge's; the session assigns `id`. */
export type SessionBody = { op: string } & Record<string, unknown>;

export interface SessionStreams {
  input: Readable;
  output: Writable;
  /** Why the stream ended, for the error every pending request fails with. */
  closedReason(): string;
  /** When given, the session closes when this settles (e.g. the child exited, its stderr read) rather than at the input's end. */
  ended?: Promise<void>;
}

export class Session {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private closed: RelxError | undefined;

  constructor(private readonly streams: SessionStreams) {
    const splitter = new LineSplitter({ maxBytes: Infinity, onTooLong: () => undefined, onLine: (line) => this.answer(line) });
    streams.input.on("data", (chunk: Buffer) => splitter.push(chunk));
    if (streams.ended) void streams.ended.then(() => this.close());
    else {
      streams.input.on("close", () => this.close());
      streams.input.on("end", () => this.close());
    }
    streams.output.on("error", () => this.close());
  }

  /** Sends `body`; resolves with its result, rejects with the answer's error as a RelxError. */
  send<T = unknown>(body: SessionBody): Promise<T> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.streams.output.write(JSON.stringify({ ...body, id }) + "\n");
    });
  }

  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  /** Fails every pending request; later sends fail at once. */
  close(): void {
    if (this.closed) return;
    this.closed = new RelxError("RELX_HOST_UNREACHABLE", this.streams.closedReason(), {
      hint: "check the host's ssh access and that relx is installed there (`relx bridge --root <root>`)",
    });
    for (const { reject } of this.pending.values()) reject(this.closed);
    this.pending.clear();
  }

  private answer(line: string): void {
    let response: Response;
    try {
      response = JSON.parse(line) as Response;
    } catch {
      return;
    }
    if (typeof response !== "object" || response === null || typeof response.id !== "number") return;
    const waiter = this.pending.get(response.id);
    if (!waiter) return;
    this.pending.delete(response.id);
    if (response.ok) waiter.resolve(response.result);
    else {
      const { id: _id, ok: _ok, error, ...details } = response;
      // An error answer with no error object in it: not the daemon's (rebuilding it would throw in
      // the stream's data handler, an uncaught exception, and leave the request waiting).
      if (typeof error !== "object" || error === null) {
        waiter.reject(new RelxError("RELX_HOST_UNREACHABLE", `answer ${response.id} is not a relx answer: ok is false and it holds no error (${line.slice(0, 200)})`, {
          hint: "check that the relx there is the same version (`relx --version`)",
        }));
        return;
      }
      waiter.reject(RelxError.fromWire(error, Object.keys(details).length > 0 ? details : undefined));
    }
  }
}
