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
import type { Request, Response } from "../protocol/types.js";
import { parseRequestLine } from "../protocol/validate.js";
import type { SocketServerOptions } from "./socket-server.js";

export function serveConnection(socket: net.Socket, options: SocketServerOptions): void {
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
    try {
      if (request.op === "stop") {
        await answerStop(request, options, send);
      } else {
        const result = request.op === "ping" ? options.ping() : await options.handle(request);
        send(okResponse(request.id, result));
      }
    } catch (err) {
      send(errorResponse(request.id, err));
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

async function answerStop(
  request: Request,
  options: SocketServerOptions,
  send: (response: Response, onFlushed?: () => void) => boolean,
): Promise<void> {
  let response: Response;
  try {
    response = okResponse(request.id, await options.onStop());
  } catch (err) {
    response = errorResponse(request.id, err);
  }
  let called = false;
  const answered = (): void => {
    if (!called) options.onStopAnswered();
    called = true;
  };
  if (!send(response, answered)) answered();
}
