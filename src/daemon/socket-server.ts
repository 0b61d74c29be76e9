/**
 * The daemon's socket (SPEC §8): NDJSON over a Unix stream socket, owner-only, pipelined.
 * The socket file lives in a private directory (private-dir.ts: ours, 0700, not a symbolic link)
 * and is itself 0600 (socket-listen.ts); each client is served by socket-connection.ts.
 *
 *   start → listening → close() → closed (socket file removed, connections ended)
 */
import { lstat, unlink } from "node:fs/promises";
import net from "node:net";
import { dirname } from "node:path";
import { checkSocketPath } from "../protocol/socket-path.js";
import { ensurePrivateDir } from "./private-dir.js";
import { serveConnection, type ConnectionOptions } from "./socket-connection.js";
import { listenOrReplaceStale } from "./socket-listen.js";

export interface SocketServerOptions extends ConnectionOptions {
  /** Absolute socket path. */
  path: string;
}

export interface SocketServer {
  readonly path: string;
  /** Stop listening, remove the socket file, end every connection. */
  close(): Promise<void>;
}

/** Listen on options.path. Throws RELX_SOCKET_PATH_TOO_LONG, RELX_UNSAFE_PATH, RELX_DAEMON_RUNNING, RELX_BAD_CONFIG. */
export async function startSocketServer(options: SocketServerOptions): Promise<SocketServer> {
  const path = checkSocketPath(options.path, process.cwd());
  const connections = new Set<net.Socket>();
  const makeServer = (): net.Server => {
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      connections.add(socket);
      socket.once("close", () => connections.delete(socket));
      serveConnection(socket, options);
    });
    return server;
  };
  ensurePrivateDir(dirname(path), { recursive: true, forSocket: true });
  const server = await listenOrReplaceStale(makeServer, path);
  // Only now: a listen error (a stale socket replaced) is handled above and is not worth a log line.
  server.on("error", (err) => options.log(`socket server error: ${err.message}`));
  const { ino } = await lstat(path);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= closeServer(server, connections, path, ino));
  return { path, close };
}

async function closeServer(server: net.Server, connections: Set<net.Socket>, path: string, ino: number): Promise<void> {
  server.close();
  // libuv unlinks the socket on close; this covers the rest, but never another daemon's file.
  const stat = await lstat(path).catch(() => null);
  if (stat !== null && stat.ino === ino) await unlink(path).catch(() => undefined);
  const closed = [...connections].map((socket) => new Promise((resolve) => {
    socket.once("close", resolve);
    socket.end();
  }));
  const timer = setTimeout(() => connections.forEach((socket) => socket.destroy()), 1000);
  await Promise.all(closed);
  clearTimeout(timer);
}

