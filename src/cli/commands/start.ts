/** `relx start [--foreground]`: run the daemon for the app at --root (SPEC §6). */
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
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
  if (envFile !== undefined) await checkEnvFile(envFile);
  const socket = await resolveSocketPath({ ...options, root });
  await refuseIfRunning(socket);
  if (options.foreground) {
    // Runs the daemon in this process: logs on stdout, SIGTERM stops it gracefully.
    const { runDaemon } = await import("../../daemon/run-daemon.js");
    const ready = await runDaemon({ root, socket, foreground: true, envFile, stdoutFormat: options.json ? "json" : "text" });
    // With --json, stdout is the log as NDJSON, its "ready" entry included: no second document.
    return { ...started({ pid: ready.pid, name: ready.name, vsn: ready.vsn }), keepRunning: true, jsonLines: [] };
  }
  const { spawnDaemon } = await import("../spawn-daemon.js");
  return started(await spawnDaemon({ root, socket, envFile }));
}

function started(ready: { pid: number; name: string; vsn: string | undefined }): CommandOutput {
  const what = ready.vsn === undefined ? ready.name : `${ready.name} ${ready.vsn}`;
  return { value: { ok: true, ...ready }, text: () => `relx: started ${what} (pid ${ready.pid})` };
}

/**
 * `--env-file` names a readable regular file: the daemon reads it at boot and again at every
 * upgrade, so a missing one (or a pipe, read once) is refused here, before anything starts.
 * Throws RELX_BAD_ARGUMENT naming the path.
 */
async function checkEnvFile(file: string): Promise<void> {
  const hint = "create the file (dotenv lines such as PORT=4567), or pass another path to --env-file (relative to the current directory); nothing was started";
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    const why = err.code === "ENOENT" ? "does not exist" : `cannot be read (${err.code ?? err.message})`;
    throw new RelxError("RELX_BAD_ARGUMENT", `the env file ${file} ${why}`, { cause: err, hint });
  });
  if (!info.isFile()) {
    const kind = info.isDirectory() ? "a directory" : info.isFIFO() ? "a pipe, which the daemon could read only once" : "not a regular file";
    throw new RelxError("RELX_BAD_ARGUMENT", `the env file ${file} is ${kind}`, { hint });
  }
  await access(file, constants.R_OK).catch((err: NodeJS.ErrnoException) => {
    throw new RelxError("RELX_BAD_ARGUMENT", `the env file ${file} cannot be read (${err.code ?? err.message})`, { cause: err, hint });
  });
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
