/** `relx start [--foreground]`: run the daemon for the app at --root (SPEC §6). */
import { resolve } from "node:path";
import { RelxError } from "../../errors.js";
import { request } from "../../client/request.js";
import type { PingResult } from "../../protocol/results.js";
import type { CommandOutput, CommonOptions } from "../output.js";
import { resolveSocketPath } from "../socket-path.js";

export interface StartOptions extends CommonOptions {
  foreground?: boolean;
  /** Relative to the current directory. */
  envFile?: string;
}

export async function start(options: StartOptions): Promise<CommandOutput> {
  const root = resolve(options.root);
  const envFile = options.envFile === undefined ? undefined : resolve(options.envFile);
  const socket = await resolveSocketPath({ ...options, root });
  await refuseIfRunning(socket);
  if (options.foreground) {
    // Runs the daemon in this process: logs on stdout, SIGTERM stops it gracefully.
    const { runDaemon } = await import("../../daemon/run-daemon.js");
    const ready = await runDaemon({ root, socket, foreground: true, envFile });
    return { ...started({ pid: ready.pid, name: ready.name, vsn: ready.vsn }), keepRunning: true };
  }
  const { spawnDaemon } = await import("../spawn-daemon.js");
  return started(await spawnDaemon({ root, socket, envFile }));
}

function started(ready: { pid: number; name: string; vsn: string | undefined }): CommandOutput {
  const what = ready.vsn === undefined ? ready.name : `${ready.name} ${ready.vsn}`;
  return { value: { ok: true, ...ready }, text: () => `relx: started ${what} (pid ${ready.pid})` };
}

/** Throws RELX_DAEMON_RUNNING if a daemon answers on `socket`. */
async function refuseIfRunning(socket: string): Promise<void> {
  let pong: PingResult;
  try {
    pong = await request(socket, { op: "ping" });
  } catch (err) {
    if (err instanceof RelxError && err.code === "RELX_NO_DAEMON") return;
    throw err;
  }
  throw new RelxError("RELX_DAEMON_RUNNING", `a daemon (pid ${pong.pid}) is already running on ${socket}`, {
    hint: "see it with `relx status`, or `relx stop` it first",
  });
}
