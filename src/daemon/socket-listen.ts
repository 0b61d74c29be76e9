/**
 * Binding the daemon's socket: owner-only, and never over a live daemon.
 *
 *   listen → ok                                  bound (mode 0600: umask 0177 around bind)
 *   listen → EADDRINUSE, a symbolic link there    RELX_BAD_CONFIG (never listened through, never removed)
 *   listen → EADDRINUSE, a probe connects        RELX_DAEMON_RUNNING
 *   listen → EADDRINUSE, probe ECONNREFUSED      a dead daemon's socket: unlink it, listen once more
 */
import { lstat, readlink, stat, unlink } from "node:fs/promises";
import net from "node:net";
import { RelxError } from "../errors.js";

/** A listening server from makeServer(). Throws RELX_DAEMON_RUNNING, RELX_BAD_CONFIG, or the listen error. */
export async function listenOrReplaceStale(makeServer: () => net.Server, path: string): Promise<net.Server> {
  try {
    return await listenOwnerOnly(makeServer(), path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
  }
  await refuseSymlink(path);
  const probe = await probeSocket(path);
  if (probe !== "refused" && probe !== "absent") throw daemonRunning(path, probe);
  if (probe === "refused") await removeStaleSocket(path);
  try {
    return await listenOwnerOnly(makeServer(), path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") throw daemonRunning(path, "live");
    throw err;
  }
}

function listenOwnerOnly(server: net.Server, path: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off("listening", onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off("error", onError);
      resolve(server);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    // bind() happens synchronously inside listen(), so the umask only needs to cover this call.
    const previous = process.umask(0o177);
    try {
      server.listen(path);
    } finally {
      process.umask(previous);
    }
  });
}

/** "live": a daemon answers; "refused": a dead daemon's socket; "absent": gone meanwhile; else an errno. */
function probeSocket(path: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(path);
    const done = (result: string): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(1000, () => done("live"));
    socket.once("connect", () => done("live"));
    socket.once("error", (err: NodeJS.ErrnoException) => {
      done(err.code === "ECONNREFUSED" ? "refused" : err.code === "ENOENT" ? "absent" : (err.code ?? "live"));
    });
  });
}

/** bind() never follows a link, so a link at the path, dangling or not, is in the way: say so. */
async function refuseSymlink(path: string): Promise<void> {
  const info = await lstat(path).catch(() => null);
  if (info === null || !info.isSymbolicLink()) return;
  const target = await readlink(path).catch(() => "?");
  const dangling = (await stat(path).catch(() => null)) === null;
  throw new RelxError("RELX_BAD_CONFIG", `${path} is a symbolic link (to ${target}${dangling ? ", which does not exist" : ""}), not a socket; relx will not listen through it or remove it`, {
    hint: `remove the link with \`rm ${path}\`, or set "socket" in relx.config.json (or --socket) to another path`,
  });
}

async function removeStaleSocket(path: string): Promise<void> {
  const stat = await lstat(path).catch(() => null);
  if (stat === null) return;
  if (!stat.isSocket()) {
    throw new RelxError("RELX_BAD_CONFIG", `${path} exists and is not a socket; relx will not remove it`, {
      hint: 'remove that file, or set "socket" in relx.config.json (or --socket) to another path',
    });
  }
  await unlink(path).catch(() => undefined);
}

function daemonRunning(path: string, probe: string): RelxError {
  const why = probe === "live" ? "a daemon is already listening on" : `cannot take over (${probe})`;
  return new RelxError("RELX_DAEMON_RUNNING", `${why} ${path}`, {
    hint: "it is already running: use `relx status`, or `relx stop` first",
  });
}

