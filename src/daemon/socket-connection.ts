/**
 * One client connection of the daemon's socket. Requests are answered concurrently, in whatever
 * order they finish, matched by id; input never throws (every bad line gets a coded error answer);
 * answers to a client that left are dropped. Reading pauses while the socket's write buffer is
 * full or too many requests are in flight, so a client that never reads cannot grow our memory.
 */
import type net from "node:net";
import { RelxError } from "../errors.js";
import { LineSplitter } from "../protocol/line-splitter.js";
import { encodeResponse, errorResponse, okResponse } from "../protocol/responses.js";
import type { Handlers, Op, Request, RequestOf, ResultOf, Session } from "../protocol/ops.js";
import type { Response } from "../protocol/types.js";
import { parseRequestLine } from "../protocol/validate.js";

export interface ConnectionOptions {
  handlers: Handlers;
  /** Called once the answer to an op is flushed (or its client is gone): e.g. exit after "stop". */
  afterAnswer?: Partial<Record<Op, () => void>>;
  log(line: string): void;
  /** Requests in flight per connection before reading pauses. Default 1024. */
  maxInFlight?: number;
}

/** The handler for the request's op, called with it (the one place the op's type is joined to its handler). */
export function dispatch<K extends Op>(handlers: Handlers, request: RequestOf<K>, session: Session): ResultOf<K> | Promise<ResultOf<K>> {
  const handler = handlers[request.op] as (r: RequestOf<K>, s: Session) => ResultOf<K> | Promise<ResultOf<K>>;
  return handler(request, session);
}

/** The session of one connection: its close callbacks run once, when the socket closes. */
function sessionOf(socket: net.Socket): Session {
  const waiting: (() => void)[] = [];
  let closed = false;
  socket.once("close", () => {
    closed = true;
    for (const fn of waiting.splice(0)) fn();
  });
  return {
    get closed() {
      return closed;
    },
    onClose(fn) {
      if (closed) fn();
      else waiting.push(fn);
    },
  };
}

export function serveConnection(socket: net.Socket, options: ConnectionOptions): void {
  const session = sessionOf(socket);
  const maxInFlight = options.maxInFlight ?? 1024;
  let inFlight = 0;
  let writeBlocked = false;
  let ended = false;

  const flow = (): void => {
    if (socket.destroyed) return;
    if (writeBlocked || inFlight >= maxInFlight) socket.pause();
    else socket.resume();
  };
  /** Writes an answer; false when the client is gone and it was dropped. */
  const send = (response: Response, onFlushed?: () => void): boolean => {
    if (socket.destroyed || !socket.writable) return false;
    if (!socket.write(encodeResponse(response), onFlushed)) {
      writeBlocked = true;
      flow();
    }
    return true;
  };
  const answer = async (request: Request): Promise<void> => {
    inFlight++;
    flow();
    const after = options.afterAnswer?.[request.op];
    let response: Response;
    try {
      response = okResponse(request.id, await dispatch(options.handlers, request, session));
    } catch (err) {
      response = errorResponse(request.id, err);
    }
    try {
      if (after === undefined) send(response);
      else if (!send(response, once(after))) after();
    } finally {
      inFlight--;
      flow();
      if (ended && inFlight === 0) socket.end();
    }
  };
  const splitter = new LineSplitter({
    onLine(line) {
      if (line.trim() === "") return;
      const parsed = parseRequestLine(line);
      if (parsed.ok) void answer(parsed.request);
      else send(errorResponse(parsed.id, parsed.error));
    },
    onTooLong() {
      const error = new RelxError("RELX_LINE_TOO_LONG", "a request line is longer than 1 MiB; it was skipped", {
        hint: "send one request per line, each under 1 MiB",
      });
      send(errorResponse(null, error));
    },
  });

  socket.on("drain", () => {
    writeBlocked = false;
    flow();
  });
  socket.on("data", (chunk: Buffer) => {
    try {
      splitter.push(chunk);
    } catch (err) {
      options.log(`bug: dropping a connection after ${(err as Error).stack ?? String(err)}`);
      socket.destroy();
    }
  });
  socket.on("end", () => {
    ended = true;
    splitter.end();
    if (inFlight === 0) socket.end();
  });
  // ECONNRESET, EPIPE: the client went away; there is no one left to answer.
  socket.on("error", () => undefined);
}

function once(fn: () => void): () => void {
  let called = false;
  return () => {
    if (!called) fn();
    called = true;
  };
}
