/** Which socket a command talks to: --socket, else RELX_SOCKET (both relative to the cwd), else the config's. */
import { join, resolve } from "node:path";
import { rememberRootLock } from "../client/request.js";
import { checkSocketPath } from "../protocol/socket-path.js";
import type { CommonOptions } from "./output.js";

/**
 * The absolute socket path, remembered with the root's daemon.lock (for the hint when nothing
 * answers there). Throws RELX_BAD_CONFIG (via loadConfig) or RELX_SOCKET_PATH_TOO_LONG.
 */
export async function resolveSocketPath(options: CommonOptions): Promise<string> {
  const explicit = options.socket ?? (process.env.RELX_SOCKET || undefined);
  let path: string;
  let root: string;
  if (explicit !== undefined) {
    path = checkSocketPath(explicit, process.cwd());
    root = resolve(options.root ?? process.cwd());
  } else {
    const { loadConfig } = await import("../release/config.js");
    const config = await loadConfig(options.root);
    path = checkSocketPath(config.socket, config.root);
    root = config.root;
  }
  // As daemon/root-lock.ts's rootLockFile (not imported: this is the fast path's).
  rememberRootLock(path, join(root, ".relx", "daemon.lock"));
  return path;
}
