/**
 * Unix socket paths. sun_path holds 108 bytes; Node 20 and 22 silently truncate a longer path
 * (so a daemon would listen on, and a client connect to, some other file) and Node 24 throws
 * EINVAL. relx refuses anything over 103 bytes itself, with a message that says what to do.
 */
import { resolve } from "node:path";
import { RelxError } from "../errors.js";

export const MAX_SOCKET_PATH_BYTES = 103;

/** `path` made absolute against `base`. Throws RELX_SOCKET_PATH_TOO_LONG when it cannot be bound. */
export function checkSocketPath(path: string, base: string): string {
  const absolute = resolve(base, path);
  const bytes = Buffer.byteLength(absolute);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new RelxError(
      "RELX_SOCKET_PATH_TOO_LONG",
      `the socket path ${absolute} is ${bytes} bytes; a Unix socket path can have at most ${MAX_SOCKET_PATH_BYTES}`,
      { hint: `set "socket" in relx.config.json, or pass --socket, to a shorter path in a private directory, such as ${privateSocketSuggestion()}` },
    );
  }
  return absolute;
}

/**
 * A short socket path in a directory only this user can write (the daemon makes it, mode 0700):
 * never a socket directly in /tmp, where another user could take the name first.
 */
export function privateSocketSuggestion(): string {
  const runtimeDir = process.env.XDG_RUNTIME_DIR;
  if (runtimeDir !== undefined && runtimeDir.startsWith("/")) return `${runtimeDir}/relx/<app>.sock`;
  return `/tmp/relx-${process.geteuid?.() ?? "<uid>"}/<app>.sock`;
}
