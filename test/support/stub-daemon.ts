// The daemon's real socket server with a stub release node: for tests of the socket server itself,
// and of the client and CLI against a daemon whose answers the test chooses.
import { startSocketServer, type SocketServer, type SocketServerOptions } from "../../src/daemon/socket-server.js";
import { OPS, type Handlers } from "../../src/protocol/ops.js";
import type { Request } from "../../src/protocol/types.js";

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
