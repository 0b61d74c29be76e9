/** Which socket a command talks to: --socket, else RELX_SOCKET (both relative to the cwd), else the config's. */
import { checkSocketPath } from "../protocol/socket-path.js";
import type { CommonOptions } from "./output.js";

/** The absolute socket path. Throws RELX_BAD_CONFIG (via loadConfig) or RELX_SOCKET_PATH_TOO_LONG. */
export async function resolveSocketPath(options: CommonOptions): Promise<string> {
  const explicit = options.socket ?? (process.env.RELX_SOCKET || undefined);
  if (explicit !== undefined) return checkSocketPath(explicit, process.cwd());
  const { loadConfig } = await import("../release/config.js");
  const config = await loadConfig(options.root);
  return checkSocketPath(config.socket, config.root);
}
