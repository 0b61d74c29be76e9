// Helpers for socket tests: short temp dirs, a line-reading test client, a server with a stub handler.
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSocketServer, type SocketServer, type SocketServerOptions } from "../../src/daemon/socket-server.js";
import { LineSplitter } from "../../src/protocol/line-splitter.js";
import { OPS, type Handlers } from "../../src/protocol/ops.js";
import type { Request, Response } from "../../src/protocol/types.js";

/** A fresh directory with a short path (Unix socket paths are limited to ~107 bytes). */
export async function shortTempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "rxp-"));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A client that writes raw bytes and reads whole response lines. */
export class TestClient {
  readonly responses: Response[] = [];
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    const splitter = new LineSplitter({
      maxBytes: Infinity,
      onTooLong: () => undefined,
      onLine: (line) => {
        this.responses.push(JSON.parse(line) as Response);
        this.waiters.splice(0).forEach((wake) => wake());
      },
    });
    socket.on("data", (chunk: Buffer) => splitter.push(chunk));
    socket.on("close", () => {
      this.closed = true;
      this.waiters.splice(0).forEach((wake) => wake());
    });
    socket.on("error", () => undefined);
  }

  static connect(path: string): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(path, () => resolve(new TestClient(socket)));
      socket.once("error", reject);
    });
  }

  send(data: string | Buffer | object): void {
    this.socket.write(typeof data === "string" || Buffer.isBuffer(data) ? data : JSON.stringify(data) + "\n");
  }

  /** Resolves once `count` responses have arrived in all. */
  async waitFor(count: number): Promise<Response[]> {
    while (this.responses.length < count) {
      if (this.closed) throw new Error(`connection closed after ${this.responses.length} of ${count} responses`);
      await new Promise<void>((wake) => this.waiters.push(wake));
    }
    return this.responses;
  }

  /** Sends `request` and resolves with the response that has its id. */
  async ask(request: Partial<Request> & { id: number | string }): Promise<Response> {
    this.send(request);
    for (;;) {
      const found = this.responses.find((r) => r.id === request.id);
      if (found) return found;
      await this.waitFor(this.responses.length + 1);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface StubServer {
  server: SocketServer;
  path: string;
  handled: Request[];
  stops: number;
  /** Called when a stop is handled, before its answer. */
  onStop?: () => void;
}

/** A socket server whose release node is a stub: the socket server is the unit under test. */
export async function startStubServer(
  path: string,
  handle: (request: Request) => Promise<unknown> = async (request) => ({ echo: request }),
  overrides: Partial<SocketServerOptions> = {},
): Promise<StubServer> {
  const stub: StubServer = { server: undefined as unknown as SocketServer, path, handled: [], stops: 0 };
  const handlers = Object.fromEntries(OPS.map((op) => [op, (request: Request) => {
    stub.handled.push(request);
    return handle(request);
  }])) as unknown as Handlers;
  handlers.ping = () => ({ pong: true, pid: process.pid, vsn: "1.0.0" });
  handlers.stop = async () => {
    stub.stops++;
    stub.onStop?.();
    return { stopped: true, pid: process.pid };
  };
  stub.server = await startSocketServer({ path, handlers, log: () => undefined, ...overrides });
  return stub;
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves once `condition()` holds, checking on every turn of the event loop. */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setImmediate(r));
  }
}
